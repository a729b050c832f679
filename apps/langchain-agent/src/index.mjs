export { createDevServerTrail } from './devserver-trail.mjs';
export { DEMO_PROMPTS, runAgentDemo } from './run-agent-demo.mjs';
export { createWeatherAgent, getWeather } from './weather-agent.mjs';
