/**
 * MariaDB for one instance, started by hand (no systemd): `mariadb-install-db` once, then
 * `mariadbd --no-defaults` on 127.0.0.1:<port> and a socket under the instance folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DB_NAME, DB_USER, getSecrets, type Instance } from './instances';
import {
	assertPortFree,
	logFile,
	readRecord,
	spawnService,
	waitUntil,
} from './proc';
import { program } from './programs';

const execFileAsync = promisify( execFile );
const asRoot = process.getuid?.() === 0;

async function sql(
	instance: Instance,
	statements: string
): Promise< string > {
	const { stdout } = await execFileAsync(
		program( 'mariadb' ),
		[
			'--no-defaults',
			`--socket=${ instance.paths.socket }`,
			'-uroot',
			'--batch',
			'--skip-column-names',
			'-e',
			statements,
		],
		{ encoding: 'utf8' }
	);
	return stdout;
}

async function ping( instance: Instance ): Promise< boolean > {
	try {
		await execFileAsync( program( 'mariadb-admin' ), [
			'--no-defaults',
			`--socket=${ instance.paths.socket }`,
			'-uroot',
			'--connect-timeout=2',
			'ping',
		] );
		return true;
	} catch {
		return false;
	}
}

export async function ensureMariadb( instance: Instance ): Promise< void > {
	const data = instance.paths.mariadbData;
	if ( ! readRecord( instance, 'mariadb' ) ) {
		if ( ! existsSync( path.join( data, 'mysql' ) ) ) {
			mkdirSync( data, { recursive: true } );
			await execFileAsync( program( 'mariadb-install-db' ), [
				'--no-defaults',
				...( asRoot ? [ '--user=root' ] : [] ),
				`--datadir=${ data }`,
				'--auth-root-authentication-method=normal',
				'--skip-test-db',
			] );
		}
		await assertPortFree( instance.ports.mariadb, 'MariaDB', instance );
		const record = spawnService( instance, 'mariadb', {
			command: program( 'mariadbd' ),
			args: [
				'--no-defaults',
				...( asRoot ? [ '--user=root' ] : [] ),
				`--datadir=${ data }`,
				`--socket=${ instance.paths.socket }`,
				`--port=${ instance.ports.mariadb }`,
				'--bind-address=127.0.0.1',
				`--pid-file=${ path.join( instance.dir, 'mariadb', 'mariadbd.pid' ) }`,
				'--skip-log-bin',
				'--skip-name-resolve',
				'--character-set-server=utf8mb4',
				'--collation-server=utf8mb4_unicode_ci',
				'--max-connections=500',
				// Test data is disposable: trade crash durability for speed.
				'--innodb-flush-log-at-trx-commit=2',
				'--innodb-buffer-pool-size=256M',
			],
			port: instance.ports.mariadb,
			marker: `--port=${ instance.ports.mariadb }`,
		} );
		await waitUntil( 'MariaDB', () => ping( instance ), {
			pid: record.pid,
			log: logFile( instance, 'mariadb' ),
		} );
	}
	const { dbPassword } = getSecrets( instance );
	// Idempotent: creates the database and the WordPress user on first start only.
	await sql(
		instance,
		[
			`CREATE DATABASE IF NOT EXISTS \`${ DB_NAME }\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
			...[ '127.0.0.1', 'localhost' ].flatMap( ( host ) => [
				`CREATE USER IF NOT EXISTS '${ DB_USER }'@'${ host }' IDENTIFIED BY '${ dbPassword }'`,
				`GRANT ALL PRIVILEGES ON \`${ DB_NAME }\`.* TO '${ DB_USER }'@'${ host }'`,
			] ),
		].join( ';\n' )
	);
}

/** Drops and recreates the WordPress database (used by `reset --db`). */
export async function recreateDatabase( instance: Instance ): Promise< void > {
	await sql(
		instance,
		`DROP DATABASE IF EXISTS \`${ DB_NAME }\`; CREATE DATABASE \`${ DB_NAME }\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
	);
}
