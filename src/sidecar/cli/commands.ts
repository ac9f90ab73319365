/**
 * The operator's commands of a hosted sidecar, run with the same bundle and environment as the
 * service and needing nothing else (no database, no running sidecar):
 *
 *   node build/sidecar/sidecar.js enrol --site-id <id> [--site-url <url>] [--json]
 *   node build/sidecar/sidecar.js revoke --site-id <id> [--key-id <kid>]
 *
 * `enrol` prints the site's enrolment key (under the first key of MFK_MASTER_KEYS); `revoke`
 * adds the site to MFK_REVOKED_SITES_FILE (running sidecars apply it on SIGHUP or within
 * MFK_REVOKED_SITES_RELOAD_SECONDS).
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSealKeys } from '../sealing/sealer';
import {
	enrol,
	formatEnrolmentKey,
	SITE_ID_PATTERN,
} from '../tenancy/enrolment';

export const COMMANDS = [ 'enrol', 'revoke' ] as const;

type Env = Record< string, string | undefined >;
interface Io {
	out: ( text: string ) => void;
	err: ( text: string ) => void;
}

const USAGE = `Usage:
  sidecar.js enrol --site-id <site id> [--site-url <url>] [--json]
  sidecar.js revoke --site-id <site id> [--key-id <master key id>]
The site id is shown on the site's Meet for KiviCare settings screen (and by "wp mfk status").`;

function enrolCommand( args: string[], env: Env, io: Io ): number {
	const { values } = parseArgs( {
		args,
		options: {
			'site-id': { type: 'string' },
			'site-url': { type: 'string' },
			json: { type: 'boolean' },
		},
	} );
	const siteId = values[ 'site-id' ] ?? '';
	if ( ! env.MFK_MASTER_KEYS?.trim() ) {
		io.err(
			'MFK_MASTER_KEYS is not set: run this with the environment of the hosted sidecar.\n'
		);
		return 78;
	}
	const enrolment = enrol( parseSealKeys( env.MFK_MASTER_KEYS ), siteId );
	const key = formatEnrolmentKey( enrolment );
	const site = values[ 'site-url' ] ?? '';
	if ( values.json ) {
		io.out(
			JSON.stringify( {
				siteId,
				siteUrl: site || null,
				keyId: enrolment.kid,
				enrolmentKey: key,
			} ) + '\n'
		);
		return 0;
	}
	io.out(
		[
			`Enrolment key for ${ site || 'the site' } (site id ${ siteId }, master key ${ enrolment.kid }):`,
			'',
			key,
			'',
			"Give it to the site's administrator over a private channel. They paste it, with this",
			"sidecar's https:// address, into Settings → Meet for KiviCare → Sidecar, or define",
			'MFK_SIDECAR_URL and MFK_SIDECAR_ENROLMENT_KEY in wp-config.php.',
			'',
		].join( '\n' )
	);
	return 0;
}

function revokeCommand( args: string[], env: Env, io: Io ): number {
	const { values } = parseArgs( {
		args,
		options: {
			'site-id': { type: 'string' },
			'key-id': { type: 'string' },
		},
	} );
	const siteId = values[ 'site-id' ] ?? '';
	const kid = values[ 'key-id' ];
	if (
		! SITE_ID_PATTERN.test( siteId ) ||
		( kid !== undefined && ! /^[A-Za-z0-9_-]{1,32}$/.test( kid ) )
	) {
		io.err( `${ USAGE }\n` );
		return 64;
	}
	const entry = kid ? `${ siteId }:${ kid }` : siteId;
	const file = env.MFK_REVOKED_SITES_FILE?.trim();
	if ( ! file ) {
		io.out(
			`Add "${ entry }" to MFK_REVOKED_SITES (comma-separated) or to the file MFK_REVOKED_SITES_FILE names, then restart the sidecar or send it SIGHUP.\n`
		);
		return 0;
	}
	appendFileSync(
		file,
		`${ entry } # revoked ${ new Date().toISOString() }\n`
	);
	io.out(
		`Added "${ entry }" to ${ file }. Running sidecars refuse it at once on SIGHUP, or within MFK_REVOKED_SITES_RELOAD_SECONDS.\n`
	);
	return 0;
}

/** Runs a command; returns the exit code. */
export function runCommand(
	command: string,
	args: string[],
	env: Env,
	io: Io
): number {
	try {
		return command === 'enrol'
			? enrolCommand( args, env, io )
			: revokeCommand( args, env, io );
	} catch ( error ) {
		io.err( `${ ( error as Error ).message }\n${ USAGE }\n` );
		return 64;
	}
}
