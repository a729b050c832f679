declare const __CHATTRAIL_CORE_VERSION__: string;

/** The version of `@chattrail/core`, inlined at build time from package.json. */
export const VERSION: string =
  typeof __CHATTRAIL_CORE_VERSION__ === 'string' ? __CHATTRAIL_CORE_VERSION__ : '0.0.0-dev';
