import { tool } from 'ai';
import { z } from 'zod';

/** A deterministic stand-in for a weather API, so the transcript is the same on every run. */
export const getWeather = tool({
  description: 'The current weather in a city.',
  inputSchema: z.object({ city: z.string().describe('The city, e.g. Paris') }),
  execute: async ({ city }) => {
    const temperatureC = 12 + ((city.length * 7) % 15);
    return { city, temperatureC, sky: temperatureC > 18 ? 'sunny' : 'cloudy' };
  },
});
