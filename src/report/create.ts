// One reporter per format, behind the Reporter interface.
import { HtmlReporter, type HtmlOptions } from './html.js';
import { JsonReporter } from './json.js';
import { JsonlReporter } from './jsonl.js';
import { JunitReporter } from './junit.js';
import { PrometheusReporter } from './prometheus.js';
import type { Format, Reporter, Sink } from './reporter.js';
import { TableReporter } from './table.js';
import type { RerunHint } from './table-sections.js';

export interface ReporterOptions {
  /** terminal width for the table */
  width?: number | undefined;
  /** the table prints the command that reruns the failures */
  rerun?: RerunHint | undefined;
  /** the HTML page's extras: inventory labels, the run's command line */
  html?: HtmlOptions | undefined;
}

export function createReporter(format: Format, sink: Sink, opts: ReporterOptions = {}): Reporter {
  switch (format) {
    case 'json':
      return new JsonReporter(sink);
    case 'jsonl':
      return new JsonlReporter(sink);
    case 'junit':
      return new JunitReporter(sink);
    case 'prometheus':
      return new PrometheusReporter(sink);
    case 'html':
      return new HtmlReporter(sink, opts.html);
    case 'table':
      return new TableReporter(sink, opts);
  }
}
