/**
 * The parsers every configuration value goes through: each names the variable it
 * refuses, so a bad deploy stops at startup with a message an operator can act on.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

export const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function parseInteger(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(variable, `must be an integer, got ${JSON.stringify(raw)}`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(variable, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function parseChoice<const C extends readonly [string, ...string[]]>(variable: string, raw: string | undefined, choices: C): C[number] {
  if (raw === undefined || raw.trim() === "") return choices[0];
  const value = raw.trim();
  if (!choices.includes(value)) throw new ConfigError(variable, `must be one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
  return value;
}

export function parseSwitch(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = raw.trim().toLowerCase();
  if (value === "on") return true;
  if (value === "off") return false;
  throw new ConfigError(variable, `must be on or off, got ${JSON.stringify(raw)}`);
}

/** A secret for an HMAC key: long enough to be one (32 characters), or unset. */
export function parseSecret(variable: string, raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length < 32) throw new ConfigError(variable, "must be at least 32 characters (e.g. openssl rand -base64 32), or unset");
  return raw;
}
