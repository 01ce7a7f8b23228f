/**
 * The OpenAI-compatible hosts: one row per provider, no code. A row names the
 * default base URL (up to and including the version segment), where the key
 * comes from, and the host's quirks.
 *
 * @module
 */

import type { OpenAICompatibleSpec } from "./adapter.ts";

/** Every OpenAI-compatible host llmux knows, keyed by model-string prefix. */
export const OPENAI_COMPATIBLE_PROVIDERS = {
  openai: {
    baseURL: "https://api.openai.com/v1",
    apiKeyEnv: ["OPENAI_API_KEY"],
    apiBaseEnv: ["OPENAI_API_BASE", "OPENAI_BASE_URL"],
    docs: "https://platform.openai.com/docs/api-reference/chat",
  },
  groq: {
    baseURL: "https://api.groq.com/openai/v1",
    apiKeyEnv: ["GROQ_API_KEY"],
    unsupportedParams: ["logit_bias", "logprobs", "top_logprobs"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://console.groq.com/docs/openai",
  },
  together_ai: {
    baseURL: "https://api.together.xyz/v1",
    apiKeyEnv: ["TOGETHER_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.together.ai/docs/openai-api-compatibility",
  },
  mistral: {
    baseURL: "https://api.mistral.ai/v1",
    apiKeyEnv: ["MISTRAL_API_KEY"],
    unsupportedParams: ["logit_bias", "logprobs", "top_logprobs", "store", "service_tier"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.mistral.ai/api/",
  },
  deepseek: {
    baseURL: "https://api.deepseek.com/v1",
    apiKeyEnv: ["DEEPSEEK_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://api-docs.deepseek.com/",
  },
  xai: {
    baseURL: "https://api.x.ai/v1",
    apiKeyEnv: ["XAI_API_KEY"],
    docs: "https://docs.x.ai/docs/api-reference",
  },
  fireworks_ai: {
    baseURL: "https://api.fireworks.ai/inference/v1",
    apiKeyEnv: ["FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.fireworks.ai/tools-sdks/openai-compatibility",
  },
  openrouter: {
    baseURL: "https://openrouter.ai/api/v1",
    apiKeyEnv: ["OPENROUTER_API_KEY", "OR_API_KEY"],
    apiBaseEnv: ["OPENROUTER_API_BASE"],
    docs: "https://openrouter.ai/docs/api-reference/overview",
  },
  perplexity: {
    baseURL: "https://api.perplexity.ai",
    apiKeyEnv: ["PERPLEXITY_API_KEY", "PERPLEXITYAI_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    mergeSameRole: true,
    embeddings: false,
    docs: "https://docs.perplexity.ai/api-reference/chat-completions-post",
  },
  cerebras: {
    baseURL: "https://api.cerebras.ai/v1",
    apiKeyEnv: ["CEREBRAS_API_KEY"],
    unsupportedParams: [
      "frequency_penalty",
      "presence_penalty",
      "logit_bias",
      "parallel_tool_calls",
      "service_tier",
    ],
    developerRole: false,
    embeddings: false,
    docs: "https://inference-docs.cerebras.ai/resources/openai",
  },
  deepinfra: {
    baseURL: "https://api.deepinfra.com/v1/openai",
    apiKeyEnv: ["DEEPINFRA_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://deepinfra.com/docs/openai_api",
  },
  nvidia_nim: {
    baseURL: "https://integrate.api.nvidia.com/v1",
    apiKeyEnv: ["NVIDIA_NIM_API_KEY", "NVIDIA_API_KEY"],
    apiBaseEnv: ["NVIDIA_NIM_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.api.nvidia.com/nim/reference/llm-apis",
  },
  sambanova: {
    baseURL: "https://api.sambanova.ai/v1",
    apiKeyEnv: ["SAMBANOVA_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.sambanova.ai/cloud/api-reference",
  },
  hyperbolic: {
    baseURL: "https://api.hyperbolic.xyz/v1",
    apiKeyEnv: ["HYPERBOLIC_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    embeddings: false,
    docs: "https://docs.hyperbolic.xyz/docs/rest-api",
  },
  novita: {
    baseURL: "https://api.novita.ai/v3/openai",
    apiKeyEnv: ["NOVITA_API_KEY"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://novita.ai/docs/guides/llm-api",
  },
  lm_studio: {
    baseURL: "http://localhost:1234/v1",
    apiKeyEnv: ["LM_STUDIO_API_KEY"],
    apiKeyRequired: false,
    apiBaseEnv: ["LM_STUDIO_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://lmstudio.ai/docs/app/api/endpoints/openai",
  },
  hosted_vllm: {
    baseURL: "http://localhost:8000/v1",
    apiKeyEnv: ["HOSTED_VLLM_API_KEY", "VLLM_API_KEY"],
    apiKeyRequired: false,
    apiBaseEnv: ["HOSTED_VLLM_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
  },
  github: {
    baseURL: "https://models.github.ai/inference",
    apiKeyEnv: ["GITHUB_API_KEY", "GITHUB_TOKEN"],
    maxTokensField: "max_tokens",
    docs: "https://docs.github.com/en/rest/models/inference",
  },
  huggingface: {
    baseURL: "https://router.huggingface.co/v1",
    apiKeyEnv: ["HF_TOKEN", "HUGGINGFACE_API_KEY"],
    apiBaseEnv: ["HF_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    embeddings: false,
    docs: "https://huggingface.co/docs/inference-providers/index",
  },
  moonshot: {
    baseURL: "https://api.moonshot.ai/v1",
    apiKeyEnv: ["MOONSHOT_API_KEY"],
    apiBaseEnv: ["MOONSHOT_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    embeddings: false,
    docs: "https://platform.moonshot.ai/docs/api/chat",
  },
  dashscope: {
    baseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    apiKeyEnv: ["DASHSCOPE_API_KEY"],
    apiBaseEnv: ["DASHSCOPE_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs:
      "https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope",
  },
  nebius: {
    baseURL: "https://api.studio.nebius.com/v1",
    apiKeyEnv: ["NEBIUS_API_KEY"],
    apiBaseEnv: ["NEBIUS_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    docs: "https://docs.nebius.com/studio/inference/api",
  },
  featherless_ai: {
    baseURL: "https://api.featherless.ai/v1",
    apiKeyEnv: ["FEATHERLESS_AI_API_KEY", "FEATHERLESS_API_KEY"],
    apiBaseEnv: ["FEATHERLESS_AI_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    embeddings: false,
    docs: "https://featherless.ai/docs/api-overview-and-common-options",
  },
  lambda_ai: {
    baseURL: "https://api.lambda.ai/v1",
    apiKeyEnv: ["LAMBDA_API_KEY"],
    apiBaseEnv: ["LAMBDA_API_BASE"],
    maxTokensField: "max_tokens",
    developerRole: false,
    embeddings: false,
    docs: "https://docs.lambda.ai/public-cloud/lambda-inference-api/",
  },
} as const satisfies Record<string, OpenAICompatibleSpec>;

/** A prefix of the OpenAI-compatible table. */
export type OpenAICompatibleProviderId = keyof typeof OPENAI_COMPATIBLE_PROVIDERS;

/** Other names LiteLLM accepts for some rows. */
export const OPENAI_COMPATIBLE_ALIASES: Readonly<Record<string, OpenAICompatibleProviderId>> = {
  featherless: "featherless_ai",
  lambda: "lambda_ai",
  vllm: "hosted_vllm",
  togetherai: "together_ai",
  fireworks: "fireworks_ai",
  nvidia: "nvidia_nim",
  nebius_ai_studio: "nebius",
  together: "together_ai",
};
