/**
 * Requests received per operation (faulted and refused ones included), answers per HTTP status
 * (`0`: dropped or held), the bytes of the answers' bodies as sent (after gzip) per operation,
 * and per Google account the calls received and the calls refused for
 * Google's limits (429, or 403 with a usage-limit reason), for `/__emulator/counters`.
 */

/** What one account (or the whole project) sent and had refused. */
export interface CallTally {
	calls: number;
	refused: number;
}

export class Counters {
	readonly calls = new Map< string, number >();
	readonly bytes = new Map< string, number >();
	readonly statuses = new Map< string, Map< number, number > >();
	readonly accounts = new Map< string, CallTally >();
	readonly total: CallTally = { calls: 0, refused: 0 };

	count( operation: string ): void {
		this.calls.set( operation, ( this.calls.get( operation ) ?? 0 ) + 1 );
	}

	/** An answer's body of `n` bytes went out (as sent: compressed when gzip was asked for). */
	sent( operation: string, n: number ): void {
		this.bytes.set( operation, ( this.bytes.get( operation ) ?? 0 ) + n );
	}

	/** A Google API call arrived (from `account`, when its bearer token names one). */
	received( account: string | undefined ): void {
		this.total.calls++;
		if ( account !== undefined ) {
			this.tally( account ).calls++;
		}
	}

	answered(
		operation: string,
		status: number,
		account?: string,
		refused = false
	): void {
		let m = this.statuses.get( operation );
		if ( ! m ) {
			m = new Map();
			this.statuses.set( operation, m );
		}
		m.set( status, ( m.get( status ) ?? 0 ) + 1 );
		if ( refused ) {
			this.total.refused++;
			if ( account !== undefined ) {
				this.tally( account ).refused++;
			}
		}
	}

	clear(): void {
		this.calls.clear();
		this.bytes.clear();
		this.statuses.clear();
		this.accounts.clear();
		this.total.calls = 0;
		this.total.refused = 0;
	}

	toJSON(): {
		counters: Record< string, number >;
		bytes: Record< string, number >;
		statuses: Record< string, Record< string, number > >;
		total: CallTally;
		accounts: Record< string, CallTally >;
	} {
		const statuses: Record< string, Record< string, number > > = {};
		for ( const [ op, m ] of this.statuses ) {
			statuses[ op ] = Object.fromEntries(
				[ ...m ].map( ( [ s, n ] ) => [ String( s ), n ] )
			);
		}
		return {
			counters: Object.fromEntries( this.calls ),
			bytes: Object.fromEntries( this.bytes ),
			statuses,
			total: { ...this.total },
			accounts: Object.fromEntries(
				[ ...this.accounts ].map( ( [ a, t ] ) => [ a, { ...t } ] )
			),
		};
	}

	private tally( account: string ): CallTally {
		let t = this.accounts.get( account );
		if ( ! t ) {
			t = { calls: 0, refused: 0 };
			this.accounts.set( account, t );
		}
		return t;
	}
}
