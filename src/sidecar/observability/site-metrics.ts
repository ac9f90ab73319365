/**
 * Per-site figures of a hosted sidecar: requests by outcome and calls to Google by outcome, per
 * site. The operator's /metrics shows every site (labelled with its site id); a site sees only its
 * own through the signed `POST /v1/site/metrics`. At most MAX_SITES sites are kept (the least
 * recently active go first), so a fleet of any size cannot grow this without bound.
 */

const MAX_SITES = 10000;

export interface SiteFigures {
	since: string;
	requests: Record< string, number >;
	googleCalls: Record< string, number >;
}

const escape = ( v: string ) =>
	v.replace( /\\/g, '\\\\' ).replace( /"/g, '\\"' );

export class SiteMetrics {
	private readonly sites = new Map< string, SiteFigures >();

	private of( site: string ): SiteFigures {
		let figures = this.sites.get( site );
		if ( figures ) {
			// Most recently active last.
			this.sites.delete( site );
		} else {
			if ( this.sites.size >= MAX_SITES ) {
				const oldest = this.sites.keys().next().value;
				if ( oldest !== undefined ) {
					this.sites.delete( oldest );
				}
			}
			figures = {
				since: new Date().toISOString(),
				requests: {},
				googleCalls: {},
			};
		}
		this.sites.set( site, figures );
		return figures;
	}

	request( site: string, code: string ): void {
		const r = this.of( site ).requests;
		r[ code ] = ( r[ code ] ?? 0 ) + 1;
	}

	googleCall( site: string, outcome: string ): void {
		const g = this.of( site ).googleCalls;
		g[ outcome ] = ( g[ outcome ] ?? 0 ) + 1;
	}

	/** One site's figures (a copy), or empty ones. */
	view( site: string ): SiteFigures {
		const f = this.sites.get( site );
		return f
			? {
					since: f.since,
					requests: { ...f.requests },
					googleCalls: { ...f.googleCalls },
				}
			: {
					since: new Date().toISOString(),
					requests: {},
					googleCalls: {},
				};
	}

	render(): string {
		const requests = [
			'# HELP mfk_site_requests_total Signed requests answered per enrolled site, by error code ("ok" for success).',
			'# TYPE mfk_site_requests_total counter',
		];
		const calls = [
			'# HELP mfk_site_google_calls_total Calls to Google per enrolled site, by outcome.',
			'# TYPE mfk_site_google_calls_total counter',
		];
		for ( const [ site, f ] of this.sites ) {
			for ( const [ code, n ] of Object.entries( f.requests ) ) {
				requests.push(
					`mfk_site_requests_total{site="${ escape( site ) }",code="${ escape( code ) }"} ${ n }`
				);
			}
			for ( const [ outcome, n ] of Object.entries( f.googleCalls ) ) {
				calls.push(
					`mfk_site_google_calls_total{site="${ escape( site ) }",outcome="${ escape( outcome ) }"} ${ n }`
				);
			}
		}
		return [ ...requests, ...calls ].join( '\n' );
	}
}
