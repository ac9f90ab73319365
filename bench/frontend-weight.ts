/**
 * Front-end weight: what the browser downloads for the plugin's own scripts, gzip-compressed
 * (level 9), as built by `npm run build:blocks`. WordPress's packages (React, components,
 * api-fetch, i18n…) are external: the build's `*.asset.php` lists them as dependencies that
 * WordPress loads as shared scripts; the check below fails if one of them was bundled instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './lib/procs';
import type { Figure } from './lib/report';

const FILES = {
	view: 'build/blocks/meet-controls/view.js',
	viewAsset: 'build/blocks/meet-controls/view.asset.php',
	admin: 'build/admin/index.js',
	adminAsset: 'build/admin/index.asset.php',
};

function size( file: string ) {
	const raw = readFileSync( path.join( ROOT, file ) );
	return {
		file,
		bytes: raw.length,
		gzip: gzipSync( raw, { level: 9 } ).length,
	};
}

function dependencies( assetFile: string ): string[] {
	const text = readFileSync( path.join( ROOT, assetFile ), 'utf8' );
	const list =
		/'dependencies'\s*=>\s*array\(([^)]*)\)/.exec( text )?.[ 1 ] ?? '';
	return [ ...list.matchAll( /'([^']+)'/g ) ].map(
		( m ) => m[ 1 ] as string
	);
}

export function measureFrontend() {
	for ( const f of Object.values( FILES ) ) {
		if ( ! existsSync( path.join( ROOT, f ) ) ) {
			throw new Error(
				`${ f } is missing: run npm run build:blocks first`
			);
		}
	}
	const view = size( FILES.view );
	const admin = size( FILES.admin );
	const adminText = readFileSync( path.join( ROOT, FILES.admin ), 'utf8' );
	return {
		view,
		admin,
		viewDependencies: dependencies( FILES.viewAsset ),
		adminDependencies: dependencies( FILES.adminAsset ),
		// React's own code (its error decoder link is in every production build) in the bundle
		// would mean a WordPress package was not externalised. The JSX runtime is bundled on purpose.
		reactBundled:
			/reactjs\.org\/docs\/error-decoder|react\.dev\/errors/.test(
				adminText
			),
	};
}

export function frontendFigure(
	m: ReturnType< typeof measureFrontend >
): Figure {
	const viewOk = m.view.gzip <= 2048;
	const adminOk = m.admin.gzip <= 30 * 1024;
	const met = viewOk && adminOk && ! m.reactBundled;
	return {
		id: 'frontend-weight',
		figure: 'front-end weight',
		how: `gzip -9 of \`${ m.view.file }\` (pages with the Meet controls) and \`${ m.admin.file }\` (the plugin's admin screens) after \`npm run build:blocks\`; WordPress packages external (view script dependencies: ${ m.viewDependencies.length ? m.viewDependencies.join( ', ' ) : 'none' }; admin: ${ m.adminDependencies.join( ', ' ) }).`,
		command: 'npm run bench -- --only frontend-weight',
		target: '≤ 2 KB / ≤ 30 KB',
		result: `${ m.view.gzip.toLocaleString( 'en' ) } B / ${ m.admin.gzip.toLocaleString( 'en' ) } B`,
		baseline: '—',
		ratio: null,
		met,
		...( met
			? {}
			: {
					reason: m.reactBundled
						? 'React is bundled into the admin script instead of being loaded from WordPress'
						: `view ${ m.view.gzip } B (budget 2,048), admin ${ m.admin.gzip } B (budget 30,720)`,
				} ),
		details: m,
	};
}
