/**
 * `.wp-env.json`, read by @wordpress/env's own configuration loader (what `npm run wp-env
 * start` does before it talks to Docker): valid for the installed version, the plugin mounted
 * under its own slug whatever the checkout's folder is called, the KiviCare stand-in beside it,
 * and each environment pointing at its own sidecar on the host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

const ENV_DIR = path.dirname(
	require.resolve( '@wordpress/env/package.json' )
);

interface Source {
	type: string;
	path: string;
	ref?: string;
	url?: string;
}

interface Environment {
	port: number;
	phpVersion: string;
	coreSource: Source;
	pluginSources: Source[];
	mappings: Record< string, Source >;
	config: Record< string, unknown >;
}

interface Loaded {
	env: { development: Environment; tests: Environment };
	lifecycleScripts: Record< string, string | null >;
}

describe( '.wp-env.json', () => {
	let home: string;
	let config: Loaded;
	const previousHome = process.env.WP_ENV_HOME;

	beforeAll( async () => {
		home = mkdtempSync( path.join( tmpdir(), 'mfk-wp-env-' ) );
		process.env.WP_ENV_HOME = home;
		// wp-env reads the latest WordPress version from wordpress.org for its built-in
		// defaults, even when the project names its own: the test gives one instead of
		// going on the network.
		const versions = path.join( ENV_DIR, 'lib', 'wordpress.js' );
		jest.doMock( versions, () => ( {
			...jest.requireActual( versions ),
			getLatestWordPressVersion: async () => '6.8.3',
		} ) );
		const { loadConfig } = jest.requireActual(
			'@wordpress/env/lib/config'
		) as {
			loadConfig: ( directory: string ) => Promise< Loaded >;
		};
		config = await loadConfig( REPO_ROOT );
	} );

	afterAll( () => {
		if ( previousHome === undefined ) {
			delete process.env.WP_ENV_HOME;
		} else {
			process.env.WP_ENV_HOME = previousHome;
		}
		rmSync( home, { recursive: true, force: true } );
	} );

	it( 'mounts the plugin as meet-for-kivicare and the KiviCare stand-in beside it', () => {
		for ( const env of Object.values( config.env ) ) {
			expect( env.pluginSources ).toEqual( [] );
			expect(
				env.mappings[ 'wp-content/plugins/meet-for-kivicare' ]
			).toMatchObject( { type: 'local', path: REPO_ROOT } );
			expect(
				env.mappings[
					'wp-content/plugins/kivicare-clinic-management-system'
				]
			).toMatchObject( {
				type: 'local',
				path: path.join( REPO_ROOT, 'tests', 'kivicare-stand-in' ),
			} );
		}
		// The slugs the start script activates are the ones mounted.
		expect( config.lifecycleScripts.afterStart ).toContain(
			'wp plugin activate kivicare-clinic-management-system meet-for-kivicare'
		);
	} );

	it( 'runs a supported WordPress and PHP', () => {
		const { development } = config.env;
		expect( development.coreSource ).toMatchObject( {
			type: 'git',
			ref: '6.8',
		} );
		expect( Number( development.phpVersion ) ).toBeGreaterThanOrEqual(
			8.1
		);
	} );

	it( 'gives each environment its own port and its own sidecar on the host', () => {
		const { development, tests } = config.env;
		expect( development.port ).toBe( 8888 );
		expect( tests.port ).toBe( 8889 );
		expect( development.config.MFK_SIDECAR_URL ).toBe(
			'http://host.docker.internal:8787'
		);
		expect( tests.config.MFK_SIDECAR_URL ).toBe(
			'http://host.docker.internal:8797'
		);
		expect( tests.config.DISABLE_WP_CRON ).toBe( true );
	} );
} );
