/**
 * Request bodies read the way Google reads them: JSON (malformed JSON is Google's `parseError`),
 * HTML forms, and anything else read and ignored.
 */
import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance } from 'fastify';
import { GoogleApiError } from './google-errors';

export function installGoogleBodyParsers( app: FastifyInstance ): void {
	app.removeAllContentTypeParsers();
	app.addContentTypeParser(
		'application/json',
		{ parseAs: 'string' },
		( _request, body: string, done ) => {
			if ( body.trim() === '' ) {
				done( null, undefined );
				return;
			}
			try {
				done( null, JSON.parse( body ) );
			} catch {
				done(
					new GoogleApiError( 400, 'parseError', 'Parse Error' ),
					undefined
				);
			}
		}
	);
	app.addContentTypeParser(
		'application/x-www-form-urlencoded',
		{ parseAs: 'string' },
		( _request, body: string, done ) => {
			done( null, parseQuery( body ) );
		}
	);
	app.addContentTypeParser(
		'*',
		{ parseAs: 'string' },
		( _request, _body, done ) => done( null, undefined )
	);
}
