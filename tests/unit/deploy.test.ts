/**
 * The deployment files (deploy/, docs/deploy.md) cannot be run here (no container runtime, no
 * cluster), so their invariants are checked: what ships starts exactly as the tests start the
 * sidecar (`npm run sidecar`), as a non-root user with only the bundle, and the health checks
 * ask routes the sidecar has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildApp, loadConfig } from '../../src/sidecar';

const ROOT = path.resolve( __dirname, '../..' );
const read = ( file: string ) =>
	readFileSync( path.join( ROOT, file ), 'utf8' );

/** `npm run sidecar`: leading NAME=value words are its environment, the rest its command. */
function sidecarScript() {
	const words = (
		JSON.parse( read( 'package.json' ) ).scripts.sidecar as string
	 ).split( /\s+/ );
	const env: Record< string, string > = {};
	while ( /^[A-Z_]+=/.test( words[ 0 ] ?? '' ) ) {
		const [ name, value ] = ( words.shift() as string ).split( '=' );
		env[ name as string ] = value as string;
	}
	return { env, command: words };
}

function finalStage( containerfile: string ): string {
	const joined = containerfile.replace( /\\\n\s*/g, ' ' );
	return joined.slice( joined.lastIndexOf( '\nFROM ' ) );
}

test( 'the image builds the bundle in a first stage and ships only it, started as npm run sidecar starts it, as a non-root user', () => {
	const file = read( 'deploy/Containerfile' );
	const { env, command } = sidecarScript();
	expect( file.match( /^FROM /gm ) ).toHaveLength( 2 );
	expect( file ).toMatch( /^RUN npm ci\b/m );
	expect( file ).toMatch( /^RUN npm run build:sidecar$/m );
	const stage = finalStage( file );
	expect(
		JSON.parse( /^CMD (\[.*\])$/m.exec( stage )?.[ 1 ] ?? 'null' )
	).toEqual( command );
	for ( const [ name, value ] of Object.entries( env ) ) {
		expect( stage ).toMatch( new RegExp( `\\b${ name }=${ value }\\b` ) );
	}
	// The start script from the sources, the bundle it starts from the build stage; nothing else.
	const script = command.at( -1 ) as string;
	const bundle = /"\$\{MFK_SIDECAR_BUNDLE:-\$root\/([^}]+)\}"/.exec(
		read( script )
	)?.[ 1 ];
	expect( bundle ).toBe( 'build/sidecar/sidecar.js' );
	const copies = stage.match( /^COPY .*$/gm ) ?? [];
	expect( copies ).toEqual( [
		`COPY ${ script } /app/${ script }`,
		`COPY --from=build /src/${ bundle } /app/${ bundle }`,
	] );
	const user = /^USER (\d+)(?::(\d+))?$/m.exec( stage );
	expect( Number( user?.[ 1 ] ) ).toBeGreaterThan( 0 );
	expect( stage ).toMatch( /^HEALTHCHECK .*'\/healthz'/m );
} );

test( 'the systemd unit starts the sidecar as npm run sidecar does, unprivileged and hardened', () => {
	const unit = read( 'deploy/systemd/meet-for-kivicare-sidecar.service' );
	const { env, command } = sidecarScript();
	const exec = /^ExecStart=(.*)$/m.exec( unit )?.[ 1 ]?.split( ' ' ) ?? [];
	expect( [ path.basename( exec[ 0 ] ?? '' ), ...exec.slice( 1 ) ] ).toEqual(
		command
	);
	for ( const [ name, value ] of Object.entries( env ) ) {
		expect( unit ).toMatch(
			new RegExp( `^Environment=${ name }=${ value }$`, 'm' )
		);
	}
	expect( /^User=(.*)$/m.exec( unit )?.[ 1 ] ).not.toMatch( /^(root|0)?$/ );
	for ( const line of [
		'NoNewPrivileges=yes',
		'ProtectSystem=strict',
		'ProtectHome=yes',
		'PrivateTmp=yes',
		'CapabilityBoundingSet=',
		'ExecReload=/bin/kill -HUP $MAINPID',
	] ) {
		expect( unit.split( '\n' ) ).toContain( line );
	}
} );

describe( 'Kubernetes', () => {
	const docs = readdirSync( path.join( ROOT, 'deploy/kubernetes' ) )
		.filter( ( f ) => f.endsWith( '.yaml' ) )
		.flatMap( ( f ) =>
			parseAllDocuments( read( `deploy/kubernetes/${ f }` ) ).map(
				( d ) => {
					if ( d.errors.length > 0 ) {
						throw new Error(
							`deploy/kubernetes/${ f }: ${ d.errors.join( '; ' ) }`
						);
					}
					return d.toJS() as Record< string, any >;
				}
			)
		);
	const of = ( kind: string ) =>
		docs.find( ( d ) => d.kind === kind ) as Record< string, any >;

	test( 'every manifest parses; Deployment, Service, HorizontalPodAutoscaler and the Secret and ConfigMap they use are there', () => {
		expect( docs.map( ( d ) => d.kind ).sort() ).toEqual( [
			'ConfigMap',
			'Deployment',
			'HorizontalPodAutoscaler',
			'Secret',
			'Service',
		] );
		expect( of( 'HorizontalPodAutoscaler' ).spec.scaleTargetRef.name ).toBe(
			of( 'Deployment' ).metadata.name
		);
		expect( of( 'Service' ).spec.selector ).toEqual(
			of( 'Deployment' ).spec.template.metadata.labels
		);
	} );

	test( "the container runs the image's command, non-root on a read-only file system, with secrets from the cluster and variables the sidecar knows", async () => {
		const pod = of( 'Deployment' ).spec.template.spec;
		const [ container ] = pod.containers;
		expect( container.command ).toBeUndefined();
		expect( container.args ).toBeUndefined();
		expect( pod.securityContext.runAsNonRoot ).toBe( true );
		expect( pod.securityContext.runAsUser ).toBeGreaterThan( 0 );
		expect( container.securityContext ).toMatchObject( {
			allowPrivilegeEscalation: false,
			readOnlyRootFilesystem: true,
			capabilities: { drop: [ 'ALL' ] },
		} );
		const env = Object.fromEntries(
			container.env.map( ( e: any ) => [ e.name, e ] )
		);
		for ( const secret of [
			'MFK_MASTER_KEYS',
			'MFK_SEAL_KEYS',
			'MFK_REDIS_URL',
		] ) {
			expect( env[ secret ].valueFrom.secretKeyRef ).toEqual( {
				name: of( 'Secret' ).metadata.name,
				key: secret,
			} );
			expect( Object.keys( of( 'Secret' ).stringData ) ).toContain(
				secret
			);
		}
		const known = readdirSync( path.join( ROOT, 'src/sidecar/config' ) )
			.map( ( f ) => read( `src/sidecar/config/${ f }` ) )
			.join( '\n' );
		for ( const name of Object.keys( env ) ) {
			expect( known ).toContain( name );
		}
		// Beyond loopback, with a certificate: the configuration the sidecar accepts.
		expect( env.MFK_SIDECAR_HOST.value ).toBe( '0.0.0.0' );
		expect( env.MFK_TLS_CERT.value ).toMatch( /^\/etc\/mfk\/tls\// );
	} );

	test( "readiness and liveness ask the sidecar's /readyz and /healthz over HTTPS on its port", async () => {
		const [ container ] = of( 'Deployment' ).spec.template.spec.containers;
		const app = buildApp(
			loadConfig( {
				MFK_SHARED_SECRET: 'x'.repeat( 32 ),
				MFK_SEAL_KEYS: `k1:${ Buffer.alloc( 32 ).toString( 'base64' ) }`,
				MFK_LOG_LEVEL: 'silent',
			} )
		);
		await app.ready();
		try {
			for ( const [ probe, route ] of [
				[ 'readinessProbe', '/readyz' ],
				[ 'livenessProbe', '/healthz' ],
			] as const ) {
				const get = container[ probe ].httpGet;
				expect( get ).toMatchObject( {
					path: route,
					scheme: 'HTTPS',
					port: container.ports[ 0 ].name,
				} );
				expect( app.hasRoute( { method: 'GET', url: route } ) ).toBe(
					true
				);
			}
		} finally {
			await app.close();
		}
		expect( of( 'Service' ).spec.ports[ 0 ].targetPort ).toBe(
			container.ports[ 0 ].name
		);
	} );
} );
