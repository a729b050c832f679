import type { TurnModel } from '@chattrail/core';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/**
 * Which model a call used. The id is the requested model as the provider integration reports it in
 * `invocation_params` (`model`, or `model_name`/`modelName` in older integrations), else LangSmith's
 * `ls_model_name` from the run metadata, else what the response says. The provider is `ls_provider`
 * (`openai`, `anthropic`, ...) or the response's `model_provider`.
 */
export function readModel(
  extraParams: Record<string, unknown> | undefined,
  metadata: Record<string, unknown> | undefined,
  responseMetadata: unknown,
): TurnModel | undefined {
  const invocation = asRecord(extraParams?.invocation_params);
  const response = asRecord(responseMetadata);
  const id =
    text(invocation?.model) ??
    text(invocation?.model_name) ??
    text(invocation?.modelName) ??
    text(metadata?.ls_model_name) ??
    text(response?.model_name) ??
    text(response?.model);
  const provider = text(metadata?.ls_provider) ?? text(response?.model_provider);
  if (id === undefined && provider === undefined) return undefined;
  const model: TurnModel = {};
  if (provider !== undefined) model.provider = provider;
  if (id !== undefined) model.id = id;
  return model;
}
