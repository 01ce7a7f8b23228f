/**
 * The legacy `POST /v1/completions` (text completion) API, translated to and
 * from chat completions so every provider can serve it.
 *
 * @module
 */

import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  Usage,
} from "../types.ts";
import { clientError } from "./errors.ts";

/** A `text_completion` object. */
export interface TextCompletion {
  /** `cmpl-…` id. */
  id: string;
  /** Always `"text_completion"`. */
  object: "text_completion";
  /** Unix seconds. */
  created: number;
  /** The model. */
  model: string;
  /** One choice per prompt (× n). */
  choices: { text: string; index: number; logprobs: null; finish_reason: string | null }[];
  /** Token usage. */
  usage?: Usage | null;
}

const PASS = [
  "max_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "seed",
  "user",
  "stream",
  "stream_options",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "metadata",
  "timeout",
  "num_retries",
  "mock_response",
  "drop_params",
];

/** The prompts of a text-completion request (one or several strings). */
export function promptsOf(body: Record<string, unknown>): string[] {
  const p = body.prompt;
  if (typeof p === "string") return [p];
  if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === "string")) {
    return p as string[];
  }
  throw clientError(400, "Invalid request: 'prompt' must be a string or a list of strings", {
    param: "prompt",
  });
}

/** One chat request per prompt. */
export function toChatRequest(
  body: Record<string, unknown>,
  prompt: string,
): ChatCompletionRequest {
  if (typeof body.model !== "string" || body.model === "") {
    throw clientError(400, "Invalid request: 'model' is required", { param: "model" });
  }
  const out: ChatCompletionRequest = {
    model: body.model,
    messages: [{ role: "user", content: prompt }],
  };
  for (const key of PASS) if (body[key] !== undefined) out[key] = body[key];
  if (body.suffix != null) {
    throw clientError(400, "Invalid request: 'suffix' is not supported", { param: "suffix" });
  }
  return out;
}

function cmplId(id: string): string {
  return id.startsWith("chatcmpl-") ? `cmpl-${id.slice(9)}` : id;
}

/** Merge chat completions (one per prompt) into one text completion. */
export function fromChatCompletions(
  results: ChatCompletion[],
  echo: string[] | null,
): TextCompletion {
  const first = results[0];
  const choices: TextCompletion["choices"] = [];
  let prompt = 0;
  let completion = 0;
  results.forEach((r, p) => {
    for (const c of r.choices) {
      const text = c.message.content ?? "";
      choices.push({
        text: echo ? echo[p] + text : text,
        index: choices.length,
        logprobs: null,
        finish_reason: c.finish_reason,
      });
    }
    prompt += r.usage?.prompt_tokens ?? 0;
    completion += r.usage?.completion_tokens ?? 0;
  });
  return {
    id: cmplId(first.id),
    object: "text_completion",
    created: first.created,
    model: first.model,
    choices,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}

/** A chat chunk as a text-completion chunk. */
export function fromChatChunk(chunk: ChatCompletionChunk): TextCompletion {
  const out: TextCompletion = {
    id: cmplId(chunk.id),
    object: "text_completion",
    created: chunk.created,
    model: chunk.model,
    choices: chunk.choices.map((c) => ({
      text: c.delta.content ?? "",
      index: c.index,
      logprobs: null,
      finish_reason: c.finish_reason,
    })),
  };
  if (chunk.usage !== undefined) out.usage = chunk.usage;
  return out;
}
