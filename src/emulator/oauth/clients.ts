/**
 * OAuth clients (a Google Cloud project's "Web application" client): id, secret, the
 * authorized redirect URIs and the project's settings (Calendar API, consent screen).
 */
import { defaultProject, type Project } from './project';

export interface Client {
	clientId: string;
	clientSecret: string;
	/** Registered redirect URIs; empty: any http(s) URI is accepted. */
	redirectUris: string[];
	/** The project's settings; left out: everything enabled, published, external. */
	project?: Project;
}

/** A client as the emulator keeps it: always with its project. */
export type KnownClient = Client & { project: Project };

/** `clientId:secret[,…]` (EMULATOR_CLIENTS). */
export function parseClients( raw: string ): Client[] {
	return raw
		.split( ',' )
		.map( ( e ) => e.trim() )
		.filter( Boolean )
		.map( ( entry ) => {
			const colon = entry.indexOf( ':' );
			if ( colon <= 0 || colon === entry.length - 1 ) {
				throw new Error(
					`EMULATOR_CLIENTS entry "${ entry.slice( 0, 40 ) }" must look like clientId:secret`
				);
			}
			return {
				clientId: entry.slice( 0, colon ),
				clientSecret: entry.slice( colon + 1 ),
				redirectUris: [],
			};
		} );
}

/** Whether Google would send the browser back to `uri` for this client. */
export function redirectAllowed( client: Client, uri: string ): boolean {
	let url: URL;
	try {
		url = new URL( uri );
	} catch {
		return false;
	}
	if ( url.protocol !== 'http:' && url.protocol !== 'https:' ) {
		return false;
	}
	return (
		client.redirectUris.length === 0 || client.redirectUris.includes( uri )
	);
}

export class Clients {
	private readonly byId = new Map< string, KnownClient >();

	constructor( private readonly initial: Client[] ) {
		this.reset();
	}

	/** Back to the clients the emulator started with. */
	reset(): void {
		this.byId.clear();
		for ( const c of this.initial ) {
			this.add( c );
		}
	}

	add( client: Client ): KnownClient {
		const known: KnownClient = {
			...client,
			redirectUris: [ ...client.redirectUris ],
			project: client.project
				? {
						...client.project,
						testUsers: [ ...client.project.testUsers ],
					}
				: defaultProject( client.clientId ),
		};
		this.byId.set( client.clientId, known );
		return known;
	}

	get( clientId: string ): KnownClient | undefined {
		return this.byId.get( clientId );
	}

	ids(): string[] {
		return [ ...this.byId.keys() ];
	}
}
