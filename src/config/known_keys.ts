/**
 * The keys LiteLLM documents for each section of its proxy `config.yaml`, split
 * into those llmux implements (`supported`) and those it accepts without
 * acting on them yet (`accepted`: a distinct warning). Any other key is
 * unknown (a warning, never an error).
 *
 * Sources: LiteLLM's "All settings" page (docs/my-website/docs/proxy/config_settings.md:
 * the `litellm_settings`, `general_settings` and `router_settings` reference
 * tables), "Config.yaml" (proxy/configs.md), `ConfigGeneralSettings` and
 * `ConfigYAML` in litellm/proxy/_types.py, `UpdateRouterConfig` in
 * litellm/types/router.py, and the keys `ProxyConfig.load_config` in
 * litellm/proxy/proxy_server.py handles by name.
 *
 * @module
 */

/** The keys of one section. */
export interface SectionKeys {
  /** Keys llmux reads and honours. */
  readonly supported: ReadonlySet<string>;
  /** Keys LiteLLM documents that llmux accepts but does not act on yet. */
  readonly accepted: ReadonlySet<string>;
}

function section(supported: readonly string[], accepted: readonly string[]): SectionKeys {
  return { supported: new Set(supported), accepted: new Set(accepted) };
}

/**
 * Known keys per section.
 *
 * @example
 * ```ts
 * import { CONFIG_KEYS } from "./known_keys.ts";
 * console.assert(CONFIG_KEYS.litellm_settings.supported.has("drop_params"));
 * console.assert(CONFIG_KEYS.litellm_settings.accepted.has("cache"));
 * ```
 */
export const CONFIG_KEYS: {
  readonly top: SectionKeys;
  readonly model_list: SectionKeys;
  readonly litellm_settings: SectionKeys;
  readonly router_settings: SectionKeys;
  readonly general_settings: SectionKeys;
  readonly credential_list: SectionKeys;
} = {
  top: section(
    [
      "model_list",
      "router_settings",
      "litellm_settings",
      "general_settings",
      "environment_variables",
      "credential_list",
    ],
    [
      "callback_settings",
      "guardrails",
      "mcp_servers",
      "assistant_settings",
      "finetune_settings",
      "files_settings",
      "default_vertex_config",
      "search_tools",
      "vector_store_registry",
      "prompts",
      "include",
      "worker_registry",
    ],
  ),
  model_list: section(["model_name", "litellm_params", "model_info", "rpm", "tpm"], []),
  litellm_settings: section(
    [
      "drop_params",
      "num_retries",
      "request_timeout",
      "fallbacks",
      "context_window_fallbacks",
      "content_policy_fallbacks",
      "default_fallbacks",
      "budget_fallbacks",
      "allowed_fails",
      "max_fallbacks",
      "set_verbose",
      "json_logs",
      "callbacks",
      "success_callback",
      "failure_callback",
      // Prompts and completions are then never logged, whatever general_settings.log_prompts says.
      "turn_off_message_logging",
    ],
    [
      "service_callbacks",
      "service_callback",
      "input_callback",
      "redact_user_api_key_info",
      "redact_messages_in_exceptions",
      "langfuse_default_tags",
      "modify_params",
      "enable_preview_features",
      "force_ipv4",
      "mcp_aliases",
      "cache",
      "cache_params",
      "disable_end_user_cost_tracking",
      "disable_end_user_cost_tracking_prometheus_only",
      "key_generation_settings",
      "disable_add_transform_inline_image_block",
      "use_chat_completions_url_for_anthropic_messages",
      "disable_hf_tokenizer_download",
      "enable_json_schema_validation",
      "enable_key_alias_format_validation",
      "disable_copilot_system_to_assistant",
      "guardrails",
      "post_call_rules",
      "max_internal_user_budget",
      "default_max_internal_user_budget",
      "custom_provider_map",
      "default_team_settings",
      "upperbound_key_generate_params",
      "default_key_generate_params",
      "default_internal_user_params",
      "default_team_params",
      "max_budget",
      "budget_duration",
      "max_end_user_budget",
      "max_parallel_requests",
      "model_alias_map",
      "return_response_headers",
      "ssl_verify",
      "ssl_certificate",
      "api_base",
      "api_version",
      "telemetry",
      "global_disable_no_log_param",
      "prometheus_initialize_budget_metrics",
    ],
  ),
  router_settings: section(
    [
      "routing_strategy",
      "routing_strategy_args",
      "fallbacks",
      "context_window_fallbacks",
      "content_policy_fallbacks",
      "default_fallbacks",
      "max_fallbacks",
      "num_retries",
      "retry_after",
      "retry_policy",
      "model_group_retry_policy",
      "allowed_fails",
      "allowed_fails_policy",
      "cooldown_time",
      "disable_cooldowns",
      "timeout",
      "stream_timeout",
      "model_group_alias",
      "default_litellm_params",
      "enable_pre_call_checks",
      "enable_pre_call_check",
      // Shared counters and cooldowns (with general_settings.master_key: the gateway state).
      "redis_host",
      "redis_port",
      "redis_password",
      "redis_url",
    ],
    [
      "redis_db",
      "cache_responses",
      "cache_kwargs",
      "caching_groups",
      "client_ttl",
      "enable_tag_filtering",
      "tag_filtering_match_any",
      "tag_routing_prefix",
      "default_max_parallel_requests",
      "default_priority",
      "polling_interval",
      "debug_level",
      "set_verbose",
      "alerting_config",
      "assistants_config",
      "provider_budget_config",
      "router_general_settings",
      "optional_pre_call_checks",
      "deployment_affinity_ttl_seconds",
      "ignore_invalid_deployments",
      "search_tools",
      "guardrail_list",
      "max_retries",
      "model_group_affinity_config",
      "routing_groups",
    ],
  ),
  general_settings: section(
    [
      "master_key",
      "database_url",
      "max_request_size_mb",
      "allow_client_side_credentials",
      // llmux additions:
      "log_prompts",
      "currency",
      "fx_rates",
      "fx_rate_url",
      "alert_webhook_url",
      "spend_flush_interval",
      "user_api_key_cache_ttl",
      "redis_url",
      "alerting",
      "background_health_checks",
      "health_check_interval",
      "health_check_details",
    ],
    [
      "completion_model",
      "embedding_model",
      "image_generation_model",
      "moderation_model",
      "key_management_system",
      "key_management_settings",
      "use_google_kms",
      "use_azure_key_vault",
      "database_connection_pool_limit",
      "database_connection_timeout",
      "database_type",
      "database_args",
      "allow_requests_on_db_unavailable",
      "store_model_in_db",
      "supported_db_objects",
      "disable_prisma_schema_update",
      "otel",
      "custom_auth",
      "custom_sso",
      "custom_key_generate",
      "max_parallel_requests",
      "global_max_parallel_requests",
      "max_response_size_mb",
      "infer_model_from_keys",
      "alert_types",
      "alert_to_webhook_url",
      "alerting_args",
      "alerting_threshold",
      "ui_access_mode",
      "allowed_routes",
      "admin_only_routes",
      "public_routes",
      "allowed_ips",
      "reject_clientside_metadata_tags",
      "enable_public_model_hub",
      "pass_through_endpoints",
      "use_client_credentials_pass_through_routes",
      "user_header_name",
      "user_mcp_management_mode",
      "store_prompts_in_spend_logs",
      "forward_client_headers_to_llm_api",
      "forward_openai_org_id",
      "disable_spend_logs",
      "disable_spend_updates",
      "disable_master_key_return",
      "disable_retry_on_max_parallel_request_limit_error",
      "disable_reset_budget",
      "disable_adding_master_key_hash_to_db",
      "disable_responses_id_security",
      "enable_jwt_auth",
      "litellm_jwtauth",
      "enforce_user_param",
      "enforced_params",
      "enable_oauth2_auth",
      "enable_oauth2_proxy_auth",
      "oauth2_config_mappings",
      "use_x_forwarded_for",
      "service_account_settings",
      "default_team_disabled",
      "allow_user_auth",
      "litellm_key_header_name",
      "litellm_license",
      "role_permissions",
      "proxy_budget_rescheduler_min_time",
      "proxy_budget_rescheduler_max_time",
      "proxy_batch_write_at",
      "proxy_batch_polling_interval",
      "spend_report_frequency",
      "maximum_spend_logs_retention_period",
      "maximum_spend_logs_retention_interval",
    ],
  ),
  credential_list: section(["credential_name", "credential_values", "credential_info"], []),
};

/**
 * Callback names llmux implements in `litellm_settings.callbacks`,
 * `success_callback` and `failure_callback`; others are reported as not
 * supported yet.
 */
export const SUPPORTED_CALLBACKS: ReadonlySet<string> = new Set(["prometheus"]);

/**
 * Provider prefixes LiteLLM routes that llmux has no adapter for yet. A
 * deployment using one is reported unavailable (the rest of the config still
 * loads); any other unknown prefix is a config error.
 */
export const LITELLM_ONLY_PROVIDERS: ReadonlySet<string> = new Set([
  "azure_text",
  "sagemaker",
  "sagemaker_chat",
  "palm",
  "replicate",
  "ai21",
  "ai21_chat",
  "nlp_cloud",
  "aleph_alpha",
  "petals",
  "baseten",
  "cloudflare",
  "watsonx",
  "watsonx_text",
  "databricks",
  "predibase",
  "triton",
  "clarifai",
  "friendliai",
  "codestral",
  "text-completion-codestral",
  "text-completion-openai",
  "xinference",
  "voyage",
  "jina_ai",
  "infinity",
  "anyscale",
  "volcengine",
  "openai_like",
  "empower",
  "nscale",
  "snowflake",
  "oci",
  "llamafile",
  "litellm_proxy",
  "aiml",
  "datarobot",
  "gradient_ai",
  "maritalk",
  "meta_llama",
  "lemonade",
  "galadriel",
  "topaz",
  "assemblyai",
  "elevenlabs",
  "deepgram",
  "fal_ai",
  "recraft",
  "heroku",
  "github_copilot",
  "wandb",
  "ovhcloud",
  "cometapi",
  "vercel_ai_gateway",
  "custom",
]);
