// The example agent: a LangChain `createAgent` agent with one tool and a checkpointer, talking to any
// OpenAI-compatible chat completions endpoint through ChatOpenAI (here: the devserver's scripted model).
import { tool } from '@langchain/core/tools';
import { MemorySaver } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent } from 'langchain';
import { z } from 'zod';

/** A deterministic stand-in for a weather API. */
export const getWeather = tool(
  async ({ city }) =>
    JSON.stringify({ city, temperature_c: city.length + 14, sky: city.length % 2 ? 'sunny' : 'cloudy' }),
  {
    name: 'get_weather',
    description: 'Current weather for a city',
    schema: z.object({ city: z.string().describe('City name, e.g. Paris') }),
  },
);

/**
 * @param {{ baseURL: string, apiKey?: string, model?: string, checkpointer?: import('@langchain/langgraph').BaseCheckpointSaver }} options
 */
export function createWeatherAgent({
  baseURL,
  apiKey = 'demo',
  model = 'scripted-1',
  checkpointer = new MemorySaver(),
}) {
  return createAgent({
    model: new ChatOpenAI({ model, apiKey, configuration: { baseURL } }),
    tools: [getWeather],
    systemPrompt: 'You are a concise weather assistant. Use get_weather for current conditions.',
    checkpointer,
  });
}
