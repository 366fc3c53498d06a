import { expectOk } from '../app/api-response.js';
import { type Page, reportFailure } from '../app/page.js';
import { actionButton, el } from '../shell/element.js';
import { card, loadingIndicator, pageHeading } from '../shell/feedback.js';

interface Forecast {
  date: string;
  temperatureC: number;
  summary: string;
}

function readForecasts(value: unknown): Forecast[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (row): row is Forecast =>
      row !== null &&
      typeof row === 'object' &&
      typeof row.date === 'string' &&
      typeof row.temperatureC === 'number' &&
      typeof row.summary === 'string',
  );
}

// The API's dates are calendar days (YYYY-MM-DD): shown in UTC so no time zone moves them.
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});

function forecastTable(rows: readonly Forecast[]): HTMLElement {
  const head = el('thead', {}, [
    el('tr', {}, [
      el('th', { attrs: { scope: 'col' } }, ['Day']),
      el('th', { className: 'numeric', attrs: { scope: 'col' } }, ['°C']),
      el('th', { className: 'numeric', attrs: { scope: 'col' } }, ['°F']),
      el('th', { attrs: { scope: 'col' } }, ['Summary']),
    ]),
  ]);
  const body = el(
    'tbody',
    {},
    rows.map((row) => {
      const day = new Date(`${row.date}T00:00:00Z`);
      return el('tr', { testId: 'weather-row' }, [
        el('td', {}, [
          el('time', { attrs: { datetime: row.date } }, [
            Number.isNaN(day.getTime()) ? row.date : dayFormat.format(day),
          ]),
        ]),
        el('td', { className: 'numeric' }, [String(row.temperatureC)]),
        el('td', { className: 'numeric' }, [String(Math.round(32 + (row.temperatureC * 9) / 5))]),
        el('td', {}, [el('span', { className: `badge badge-${row.summary.toLowerCase()}` }, [row.summary])]),
      ]);
    }),
  );
  return el('div', { className: 'table-wrap' }, [
    el('table', { className: 'table' }, [
      el('caption', { className: 'visually-hidden' }, ['Five-day forecast']),
      head,
      body,
    ]),
  ]);
}

/** `/weather`: `GET /api/weatherforecast` through the BFF, as a table. */
export const weatherPage: Page = (context) => {
  const { root, bff, signal } = context;
  const content = el('div', { className: 'card-body' });

  async function load(): Promise<void> {
    context.alert.clear();
    content.replaceChildren(loadingIndicator('Loading the forecast…'));
    try {
      const response = await expectOk(await bff.fetch('/api/weatherforecast', { signal }));
      const rows = readForecasts(await response.json());
      if (signal.aborted) return;
      content.replaceChildren(
        rows.length > 0 ? forecastTable(rows) : el('p', { className: 'empty' }, ['No forecast today.']),
      );
    } catch (error) {
      content.replaceChildren();
      reportFailure(context, error);
    }
  }

  root.append(
    pageHeading(
      'Weather',
      'Five days of made-up weather from the demo API, called through the BFF with your access token.',
    ),
    card(null, [
      el('div', { className: 'card-toolbar' }, [
        el('h2', { className: 'card-title' }, ['Forecast']),
        actionButton('Refresh', { className: 'button button-ghost button-small', busyLabel: 'Refreshing…' }, load),
      ]),
      content,
    ]),
  );
  return load();
};
