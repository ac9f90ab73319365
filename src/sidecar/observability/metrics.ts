/**
 * A small Prometheus text-format registry: counters and histograms with labels, plus process
 * gauges. Enough for the few series the sidecar exposes, without a dependency.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { SiteMetrics } from './site-metrics';

type Labels = Record< string, string >;

function labelKey( labels: Labels ): string {
	const names = Object.keys( labels ).sort();
	return names
		.map(
			( n ) =>
				`${ n }="${ String( labels[ n ] ).replace( /\\/g, '\\\\' ).replace( /"/g, '\\"' ).replace( /\n/g, '\\n' ) }"`
		)
		.join( ',' );
}

class Counter {
	private readonly values = new Map< string, number >();

	constructor(
		readonly name: string,
		readonly help: string
	) {}

	inc( labels: Labels = {}, by = 1 ): void {
		const key = labelKey( labels );
		this.values.set( key, ( this.values.get( key ) ?? 0 ) + by );
	}

	get( labels: Labels = {} ): number {
		return this.values.get( labelKey( labels ) ) ?? 0;
	}

	render(): string {
		const lines = [
			`# HELP ${ this.name } ${ this.help }`,
			`# TYPE ${ this.name } counter`,
		];
		for ( const [ key, value ] of this.values ) {
			lines.push(
				`${ this.name }${ key ? `{${ key }}` : '' } ${ value }`
			);
		}
		return lines.join( '\n' );
	}
}

class Histogram {
	private readonly series = new Map<
		string,
		{ counts: number[]; sum: number; count: number }
	>();

	constructor(
		readonly name: string,
		readonly help: string,
		readonly buckets: number[]
	) {}

	observe( labels: Labels, value: number ): void {
		const key = labelKey( labels );
		let s = this.series.get( key );
		if ( ! s ) {
			s = { counts: this.buckets.map( () => 0 ), sum: 0, count: 0 };
			this.series.set( key, s );
		}
		for ( let i = 0; i < this.buckets.length; i++ ) {
			if ( value <= ( this.buckets[ i ] as number ) ) {
				( s.counts[ i ] as number )++;
			}
		}
		s.sum += value;
		s.count++;
	}

	render(): string {
		const lines = [
			`# HELP ${ this.name } ${ this.help }`,
			`# TYPE ${ this.name } histogram`,
		];
		for ( const [ key, s ] of this.series ) {
			const prefix = key ? `${ key },` : '';
			this.buckets.forEach( ( b, i ) =>
				lines.push(
					`${ this.name }_bucket{${ prefix }le="${ b }"} ${ s.counts[ i ] }`
				)
			);
			lines.push(
				`${ this.name }_bucket{${ prefix }le="+Inf"} ${ s.count }`
			);
			lines.push(
				`${ this.name }_sum${ key ? `{${ key }}` : '' } ${ s.sum }`
			);
			lines.push(
				`${ this.name }_count${ key ? `{${ key }}` : '' } ${ s.count }`
			);
		}
		return lines.join( '\n' );
	}
}

const DURATION_BUCKETS = [
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export class Metrics {
	readonly httpRequests = new Counter(
		'mfk_http_requests_total',
		'Requests answered, by route, method and error code ("ok" for success).'
	);
	readonly httpDuration = new Histogram(
		'mfk_http_request_duration_seconds',
		'Time to answer a request, by route.',
		DURATION_BUCKETS
	);
	readonly googleCalls = new Counter(
		'mfk_google_calls_total',
		'Calls to Google, by method and outcome (ok, or the error class).'
	);
	readonly googleDuration = new Histogram(
		'mfk_google_call_duration_seconds',
		'Duration of single calls to Google, by method.',
		DURATION_BUCKETS
	);
	readonly googleRetries = new Counter(
		'mfk_google_retries_total',
		'Retries of calls to Google, by method and reason.'
	);
	readonly authFailures = new Counter(
		'mfk_auth_failures_total',
		'Refused request signatures, by reason.'
	);
	readonly tokenRefreshes = new Counter(
		'mfk_token_refreshes_total',
		'Access token refreshes, by outcome.'
	);
	/** Per enrolled site (hosted sidecar). */
	readonly sites = new SiteMetrics();
	private readonly startSeconds = Date.now() / 1000;
	private readonly loopDelay: IntervalHistogram;

	constructor() {
		this.loopDelay = monitorEventLoopDelay( { resolution: 20 } );
		this.loopDelay.enable();
	}

	stop(): void {
		this.loopDelay.disable();
	}

	render(): string {
		const mem = process.memoryUsage();
		const cpu = process.cpuUsage();
		const gauges: [ string, string, number ][] = [
			[
				'process_resident_memory_bytes',
				'Resident set size in bytes.',
				mem.rss,
			],
			[
				'nodejs_heap_size_used_bytes',
				'V8 heap in use, in bytes.',
				mem.heapUsed,
			],
			[
				'process_cpu_seconds_total',
				'User and system CPU time, in seconds.',
				( cpu.user + cpu.system ) / 1e6,
			],
			[
				'process_start_time_seconds',
				'Start time of the process since the Unix epoch, in seconds.',
				this.startSeconds,
			],
			[
				'nodejs_eventloop_lag_p99_seconds',
				'Event loop delay, 99th percentile since start, in seconds.',
				this.loopDelay.percentile( 99 ) / 1e9,
			],
		];
		const parts = [
			this.httpRequests.render(),
			this.httpDuration.render(),
			this.googleCalls.render(),
			this.googleDuration.render(),
			this.googleRetries.render(),
			this.authFailures.render(),
			this.tokenRefreshes.render(),
			this.sites.render(),
			...gauges.map(
				( [ name, help, value ] ) =>
					`# HELP ${ name } ${ help }\n# TYPE ${ name } gauge\n${ name } ${ value }`
			),
		];
		return parts.join( '\n' ) + '\n';
	}
}
