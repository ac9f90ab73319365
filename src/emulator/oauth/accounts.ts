/**
 * Google accounts, created on first use. The subject id (`sub`) is derived from the e-mail, so an
 * account keeps it across resets, as a real Google account does.
 */
import { createHash } from 'node:crypto';

export interface Account {
	email: string;
	/** Google's stable numeric subject id. */
	sub: string;
}

function subjectOf( email: string ): string {
	const hash = createHash( 'sha256' ).update( email ).digest( 'hex' );
	return (
		'1' +
		BigInt( '0x' + hash.slice( 0, 16 ) )
			.toString()
			.padStart( 20, '0' )
			.slice( 0, 20 )
	);
}

export class Accounts {
	private readonly byEmail = new Map< string, Account >();

	/** The account of an e-mail (case-insensitive), created if needed. */
	get( email: string ): Account {
		const key = email.toLowerCase();
		let a = this.byEmail.get( key );
		if ( ! a ) {
			a = { email: key, sub: subjectOf( key ) };
			this.byEmail.set( key, a );
		}
		return a;
	}

	list(): Account[] {
		return [ ...this.byEmail.values() ];
	}

	reset(): void {
		this.byEmail.clear();
	}
}
