/**
 * Build of the browser code with @wordpress/scripts' webpack configuration (Babel, TypeScript,
 * CSS, WordPress packages as externals through the dependency extraction plugin, which writes
 * the *.asset.php files):
 *
 * - blocks: every blocks/<name>/block.json with the scripts it references, plus block.json and
 *   render.php copied, into build/blocks/<name>/;
 * - admin: blocks/admin/index.tsx into build/admin/index.js (+ index.css).
 *
 * One change to the defaults: the JSX runtime (`react/jsx-runtime`, a few hundred bytes) is
 * bundled instead of loaded as WordPress's `react-jsx-runtime` script, which only exists from
 * WordPress 6.6 on; the plugin supports 6.5.
 */
const path = require( 'path' );

// The default configuration reads the source folder when it is loaded.
process.env.WP_SOURCE_PATH = process.env.WP_SOURCE_PATH || 'blocks';

const defaultConfig = require( '@wordpress/scripts/config/webpack.config' );
const CopyWebpackPlugin = require( 'copy-webpack-plugin' );
const DependencyExtractionWebpackPlugin = require( '@wordpress/dependency-extraction-webpack-plugin' );
const PhpFilePathsPlugin = require( '@wordpress/scripts/plugins/php-file-paths-plugin' );

/**
 * Same plugins, with the dependency extraction keeping the JSX runtime in the bundle.
 *
 * @param {Array<Object>} list webpack plugins.
 * @return {Array<Object>} The plugins to use.
 */
function plugins( list ) {
	return list.map( ( plugin ) =>
		plugin instanceof DependencyExtractionWebpackPlugin
			? new DependencyExtractionWebpackPlugin( {
					// null (not undefined) stops the fallback to WordPress's defaults: bundle it.
					requestToExternal: ( request ) =>
						request === 'react/jsx-runtime' ? null : undefined,
				} )
			: plugin
	);
}

const blocks = {
	...defaultConfig,
	name: 'blocks',
	output: {
		...defaultConfig.output,
		path: path.resolve( __dirname, 'build/blocks' ),
	},
	plugins: plugins( defaultConfig.plugins ),
};

const admin = {
	...defaultConfig,
	name: 'admin',
	entry: { index: path.resolve( __dirname, 'blocks/admin/index.tsx' ) },
	output: {
		...defaultConfig.output,
		path: path.resolve( __dirname, 'build/admin' ),
	},
	// The block-only plugins (block.json and render.php copying) have nothing to do here.
	plugins: plugins(
		defaultConfig.plugins.filter(
			( plugin ) =>
				! ( plugin instanceof CopyWebpackPlugin ) &&
				! ( plugin instanceof PhpFilePathsPlugin )
		)
	),
};

module.exports = [ blocks, admin ];
