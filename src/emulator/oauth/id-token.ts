/**
 * ID tokens as Google issues them: RS256 JWTs with `iss`, `aud`, `sub`, `email`… The key pair is
 * generated in the background at start-up and published at /oauth2/v3/certs.
 */
import {
	createHash,
	createSign,
	generateKeyPair,
	randomBytes,
	type KeyObject,
} from 'node:crypto';
import type { TokenPayload } from 'google-auth-library';

interface Keys {
	kid: string;
	privateKey: KeyObject;
	jwk: Record< string, unknown >;
}

const b64url = ( v: string | Buffer ) =>
	Buffer.from( v ).toString( 'base64url' );

export class IdTokenIssuer {
	private keys: Promise< Keys > | undefined;

	private load(): Promise< Keys > {
		this.keys ??= new Promise( ( resolve, reject ) => {
			generateKeyPair(
				'rsa',
				{ modulusLength: 2048 },
				( error, publicKey, privateKey ) => {
					if ( error ) {
						reject( error );
						return;
					}
					const kid = randomBytes( 20 ).toString( 'hex' );
					resolve( {
						kid,
						privateKey,
						jwk: {
							...publicKey.export( { format: 'jwk' } ),
							kid,
							alg: 'RS256',
							use: 'sig',
						},
					} );
				}
			);
		} );
		return this.keys;
	}

	/** Starts generating the key so the first token exchange does not wait for it. */
	warmUp(): void {
		void this.load();
	}

	async jwks(): Promise< { keys: Record< string, unknown >[] } > {
		return { keys: [ ( await this.load() ).jwk ] };
	}

	async issue( claims: {
		aud: string;
		sub: string;
		email: string;
		accessToken: string;
	} ): Promise< string > {
		const keys = await this.load();
		const now = Math.floor( Date.now() / 1000 );
		const atHash = b64url(
			createHash( 'sha256' )
				.update( claims.accessToken )
				.digest()
				.subarray( 0, 16 )
		);
		const header = { alg: 'RS256', kid: keys.kid, typ: 'JWT' };
		const payload: TokenPayload = {
			iss: 'https://accounts.google.com',
			azp: claims.aud,
			aud: claims.aud,
			sub: claims.sub,
			email: claims.email,
			email_verified: true,
			at_hash: atHash,
			iat: now,
			exp: now + 3600,
		};
		const input = `${ b64url( JSON.stringify( header ) ) }.${ b64url( JSON.stringify( payload ) ) }`;
		const signature = createSign( 'RSA-SHA256' )
			.update( input )
			.sign( keys.privateKey );
		return `${ input }.${ b64url( signature ) }`;
	}
}
