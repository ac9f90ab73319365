/**
 * The benchmark's WordPress: a throwaway harness instance named `bench` (its own MariaDB,
 * WordPress, SMTP sink and Google emulator on free ports), the plugin configured against the
 * emulator, a clinic with connected doctors, and the sidecar run by the benchmark itself (so it
 * can stop it, restart it, or put several replicas behind a load balancer on the port WordPress
 * calls).
 */
import { BENCH_INSTANCE } from './env';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
	createThrowawayInstance,
	destroy,
	up,
} from '../../tests/harness/instance';
import { getSecrets, type Instance } from '../../tests/harness/instances';
import { stopService } from '../../tests/harness/proc';
import { sidecarEnv } from '../../tests/harness/services';
import { phpArgs, phpEnv } from '../../tests/harness/wordpress';
import { wpJsonIn } from '../../tests/harness/wp-eval';
import {
	configureMeet,
	CLIENT_ID,
	CLIENT_SECRET,
	redirectUri,
	runnerSummary,
	type RunnerResult,
} from '../../tests/integration/support/meet';
import { directTokens, emulatorControl, type EmulatorControl } from './google';
import { startSidecarProcess, ROOT, track, type NodeProcess } from './procs';
import { startBalancer, type Balancer } from './balancer';

export const BENCH_PHP = path.join( ROOT, 'bench', 'php' );

export interface Doctor {
	id: number;
	email: string;
	telemedMapping: number;
	telemedService: number;
	inPersonMapping?: number;
}

export interface World {
	instance: Instance;
	google: EmulatorControl;
	siteId: string;
	clinicId: number;
	doctors: Doctor[];
	patient: { id: number; login: string; password: string };
}

/** Runs PHP inside the bench WordPress; resolves with what the code returns. */
export function php< T = unknown >(
	world: { instance: Instance },
	code: string,
	args?: unknown
): Promise< T > {
	return wpJsonIn< T >( world.instance, code, args );
}

/** Fresh `bench` instance (a previous one is destroyed first); the harness's sidecar is stopped. */
export async function benchInstance(): Promise< Instance > {
	const instance = await createThrowawayInstance( BENCH_INSTANCE, {
		plugin: true,
		standIn: true,
		googleServices: true,
		disableWpCron: true,
		autoLogin: false,
	} );
	await up( instance );
	// The benchmark runs the sidecar itself (see Sidecars below).
	await stopService( instance, 'sidecar' );
	const muPlugins = path.join(
		instance.paths.docroot,
		'wp-content',
		'mu-plugins'
	);
	mkdirSync( muPlugins, { recursive: true } );
	writeFileSync(
		path.join( muPlugins, 'mfk-bench.php' ),
		`<?php\n// Benchmark switches (bench/php/bench-hooks.php); this instance only.\nrequire ${ JSON.stringify( path.join( BENCH_PHP, 'bench-hooks.php' ) ) };\n`
	);
	return instance;
}

export async function destroyBenchInstance(
	instance: Instance
): Promise< void > {
	await destroy( instance );
}

/**
 * The sidecar processes behind the port WordPress calls: one replica listening on it directly,
 * or several replicas on other ports behind a round-robin load balancer on it.
 */
export class Sidecars {
	private replicas: NodeProcess[] = [];
	private balancer: Balancer | undefined;
	private settings: Record< string, string > = {};

	constructor(
		private readonly instance: Instance,
		private readonly extraEnv: Record< string, string > = {}
	) {}

	get count(): number {
		return this.replicas.length;
	}

	get pids(): number[] {
		return this.replicas.map( ( r ) => r.pid );
	}

	/** The replicas' own ports (behind the balancer, when there are several). */
	get ports(): number[] {
		return this.replicas.map( ( r ) => r.port );
	}

	/** Requests the balancer sent to each replica port. */
	balancerCounts(): Record< string, number > {
		return Object.fromEntries( this.balancer?.counts ?? [] );
	}

	/** The settings of the last start (besides the instance's). */
	get startedWith(): Record< string, string > {
		return this.settings;
	}

	private env( replicas = 1 ): Record< string, string | undefined > {
		return {
			...sidecarEnv( this.instance ),
			// Without shared state, each replica paces to its share of the Google quota.
			MFK_REPLICAS: String( replicas ),
			...this.extraEnv,
			...this.settings,
		};
	}

	/**
	 * Starts `n` replicas (with `settings` added to their environment); resolves when WordPress's
	 * sidecar URL answers. Returns ms until then.
	 */
	async start(
		n = 1,
		settings: Record< string, string > = {}
	): Promise< number > {
		await this.stop();
		this.settings = settings;
		const port = this.instance.ports.sidecar;
		const started = Date.now();
		if ( n === 1 ) {
			this.replicas = [ await startSidecarProcess( port, this.env() ) ];
		} else {
			const { freePort } = await import( './procs' );
			for ( let i = 0; i < n; i++ ) {
				this.replicas.push(
					await startSidecarProcess( await freePort(), this.env( n ) )
				);
			}
			this.balancer = await startBalancer(
				port,
				this.replicas.map( ( r ) => r.port )
			);
		}
		return Date.now() - started;
	}

	/** Kills every replica at once (SIGKILL): no graceful shutdown, requests in flight fail. */
	async kill(): Promise< void > {
		await this.balancer?.close();
		this.balancer = undefined;
		await Promise.all( this.replicas.map( ( r ) => r.stop( 'SIGKILL' ) ) );
		this.replicas = [];
	}

	async stop(): Promise< void > {
		await this.balancer?.close();
		this.balancer = undefined;
		await Promise.all( this.replicas.map( ( r ) => r.stop() ) );
		this.replicas = [];
	}
}

/** Builds the world: plugin settings, clinic, `doctors` connected doctors, a patient. */
export async function buildWorld(
	instance: Instance,
	doctors: number
): Promise< World > {
	const google = emulatorControl( instance.urls.emulator );
	await configureMeet( { sync_budget_ms: 3000 } );
	const built = await wpJsonIn< Omit< World, 'instance' | 'google' > >(
		instance,
		`require_once $args['file']; return mfk_bench_world( $args );`,
		{
			file: path.join( BENCH_PHP, 'world.php' ),
			doctors,
			redirect: redirectUri(),
		}
	);
	// The PHP-only add-on's own grant for the booking doctor, and its settings.
	const booking = built.doctors[ 0 ]!;
	const tokens = await directTokens(
		instance.urls.emulator,
		{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
		booking.email,
		redirectUri()
	);
	await wpJsonIn(
		instance,
		`update_option( 'mfk_bench_php_only', $args['settings'], false );
		update_user_meta( $args['doctor'], 'mfk_bench_php_only_token', $args['tokens'] );
		return true;`,
		{
			settings: {
				api_root: `${ instance.urls.emulator }/`,
				token_url: `${ instance.urls.emulator }/token`,
				client_id: CLIENT_ID,
				client_secret: CLIENT_SECRET,
			},
			doctor: booking.id,
			tokens: {
				access_token: tokens.accessToken,
				refresh_token: tokens.refreshToken,
				expires_at: Math.floor( Date.now() / 1000 ) + tokens.expiresIn,
			},
		}
	);
	return { instance, google, ...built };
}

/**
 * Starts `php php/cli/run-queue.php` as its own process, as system cron does (with PHP's
 * opcache file cache, as the harness runs PHP on the command line).
 */
export function startRunner(
	instance: Instance,
	args: string[]
): { pid: number; done: Promise< RunnerResult >; kill: () => void } {
	const child = execFile(
		'php',
		phpArgs( path.join( ROOT, 'php', 'cli', 'run-queue.php' ), [
			`--path=${ instance.paths.docroot }`,
			...args,
		] ),
		{ env: phpEnv( instance, {} ), timeout: 600000 },
		() => {}
	);
	track( child );
	const done = new Promise< RunnerResult >( ( resolve, reject ) => {
		let out = '';
		let err = '';
		child.stdout?.on( 'data', ( c: Buffer ) => ( out += c.toString() ) );
		child.stderr?.on( 'data', ( c: Buffer ) => ( err += c.toString() ) );
		child.on( 'close', ( code, signal ) => {
			if ( signal ) {
				resolve( {
					runs: 0,
					claimed: 0,
					ready: 0,
					cancelled: 0,
					pending: 0,
					failed: 0,
					lost: 0,
				} );
				return;
			}
			try {
				resolve( runnerSummary( out ) );
			} catch {
				reject(
					new Error(
						`run-queue.php exited ${ code }: ${ out }\n${ err }`
					)
				);
			}
		} );
	} );
	return {
		pid: child.pid as number,
		done,
		kill: () => child.kill( 'SIGTERM' ),
	};
}

export { getSecrets };
