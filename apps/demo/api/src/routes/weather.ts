import type { FastifyInstance } from 'fastify';

const summaries = ['Freezing', 'Chilly', 'Cool', 'Mild', 'Warm', 'Hot'];

/** `GET /weatherforecast`: five days of made-up weather, for any caller with the `api` scope. */
export function registerWeather(app: FastifyInstance): void {
  app.get('/weatherforecast', async () =>
    Array.from({ length: 5 }, (_, day) => {
      const temperatureC = ((day * 7 + 3) % 35) - 5;
      return {
        date: new Date(Date.UTC(2030, 0, day + 1)).toISOString().slice(0, 10),
        temperatureC,
        summary: summaries[Math.min(summaries.length - 1, Math.floor((temperatureC + 5) / 7))],
      };
    }),
  );
}
