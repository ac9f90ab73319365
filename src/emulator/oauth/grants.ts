/**
 * Grants: one account's consent to one client, with the scopes granted so far. Revoking any token
 * of a grant revokes the whole grant (Google's behaviour); a later consent starts a new one.
 */

export interface Grant {
	id: number;
	clientId: string;
	email: string;
	scopes: Set< string >;
	revoked: boolean;
	createdAt: number;
}

const pairKey = ( clientId: string, email: string ) =>
	`${ clientId } ${ email.toLowerCase() }`;

export class Grants {
	private readonly byId = new Map< number, Grant >();
	/** Current grant per client and account. */
	private readonly byPair = new Map< string, number >();
	private seq = 0;

	get( id: number ): Grant | undefined {
		return this.byId.get( id );
	}

	/** The live grant of a client and account, if any. */
	current( clientId: string, email: string ): Grant | undefined {
		const id = this.byPair.get( pairKey( clientId, email ) );
		const g = id === undefined ? undefined : this.byId.get( id );
		return g && ! g.revoked ? g : undefined;
	}

	/** The live grant of a client and account, started if there is none. */
	obtain( clientId: string, email: string ): Grant {
		let grant = this.current( clientId, email );
		if ( ! grant ) {
			grant = {
				id: ++this.seq,
				clientId,
				email: email.toLowerCase(),
				scopes: new Set(),
				revoked: false,
				createdAt: Date.now(),
			};
			this.byId.set( grant.id, grant );
			this.byPair.set( pairKey( clientId, email ), grant.id );
		}
		return grant;
	}

	/** Revokes every grant of an account (what a password change or "remove access" does). */
	revokeAccount( email: string ): number {
		let n = 0;
		for ( const g of this.byId.values() ) {
			if ( g.email === email.toLowerCase() && ! g.revoked ) {
				g.revoked = true;
				n++;
			}
		}
		return n;
	}

	reset(): void {
		this.byId.clear();
		this.byPair.clear();
	}
}
