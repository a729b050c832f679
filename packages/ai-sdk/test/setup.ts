// The AI SDK prints deprecation notes (generateObject in ai 7, image parts) through process warnings;
// they are expected here and would only bury the test output.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
