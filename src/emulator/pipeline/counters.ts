/**
 * Requests received per operation (faulted and refused ones included) and answers per HTTP
 * status (`0`: dropped or held), for `/__emulator/counters`.
 */

export class Counters {
	readonly calls = new Map< string, number >();
	readonly statuses = new Map< string, Map< number, number > >();

	count( operation: string ): void {
		this.calls.set( operation, ( this.calls.get( operation ) ?? 0 ) + 1 );
	}

	answered( operation: string, status: number ): void {
		let m = this.statuses.get( operation );
		if ( ! m ) {
			m = new Map();
			this.statuses.set( operation, m );
		}
		m.set( status, ( m.get( status ) ?? 0 ) + 1 );
	}

	clear(): void {
		this.calls.clear();
		this.statuses.clear();
	}

	toJSON(): {
		counters: Record< string, number >;
		statuses: Record< string, Record< string, number > >;
	} {
		const statuses: Record< string, Record< string, number > > = {};
		for ( const [ op, m ] of this.statuses ) {
			statuses[ op ] = Object.fromEntries(
				[ ...m ].map( ( [ s, n ] ) => [ String( s ), n ] )
			);
		}
		return { counters: Object.fromEntries( this.calls ), statuses };
	}
}
