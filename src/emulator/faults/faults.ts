/**
 * The active faults and their matching: by operation name (a trailing `*` matches a prefix),
 * HTTP method, path regular expression, account e-mail or calendar id. The first fault that
 * matches a request at a stage applies and uses up one of its times.
 */
import type {
	Fault,
	FaultAction,
	FaultSpec,
	FaultStage,
	FaultView,
	RequestFacts,
} from './fault';

function operationMatches( pattern: string, operation: string ): boolean {
	return pattern.endsWith( '*' )
		? operation.startsWith( pattern.slice( 0, -1 ) )
		: pattern === operation;
}

function matches( f: Fault, facts: RequestFacts ): boolean {
	const m = f.match;
	if ( m.operation && ! operationMatches( m.operation, facts.operation ) ) {
		return false;
	}
	if ( m.method && m.method.toUpperCase() !== facts.method ) {
		return false;
	}
	if ( f.pathRegex && ! f.pathRegex.test( facts.path ) ) {
		return false;
	}
	if (
		m.account &&
		m.account.toLowerCase() !== ( facts.account ?? '' ).toLowerCase()
	) {
		return false;
	}
	return ! m.calendarId || m.calendarId === facts.calendarId;
}

export class Faults {
	private faults: Fault[] = [];
	private seq = 0;

	constructor( private readonly random: () => number = Math.random ) {}

	add( spec: FaultSpec ): FaultView {
		const fault: Fault = {
			...spec,
			id: `f${ ++this.seq }`,
			remaining: spec.times,
			hits: 0,
		};
		if ( spec.match.path ) {
			fault.pathRegex = new RegExp( spec.match.path );
		}
		this.faults.push( fault );
		return this.view( fault );
	}

	list(): FaultView[] {
		return this.faults.map( ( f ) => this.view( f ) );
	}

	remove( id: string ): boolean {
		const before = this.faults.length;
		this.faults = this.faults.filter( ( f ) => f.id !== id );
		return this.faults.length !== before;
	}

	clear(): void {
		this.faults = [];
	}

	/** The first fault that applies to this request at this stage; consumes one of its uses. */
	take( facts: RequestFacts, when: FaultStage ): FaultAction | undefined {
		for ( const f of this.faults ) {
			if ( f.when !== when || ! matches( f, facts ) ) {
				continue;
			}
			if ( f.probability < 1 && this.random() >= f.probability ) {
				continue;
			}
			f.hits++;
			if ( f.times > 0 ) {
				f.remaining--;
				if ( f.remaining <= 0 ) {
					this.faults = this.faults.filter( ( x ) => x !== f );
				}
			}
			return f.action;
		}
		return undefined;
	}

	private view( f: Fault ): FaultView {
		const { pathRegex: _compiled, ...shown } = f;
		return shown;
	}
}
