/**
 * Build of the browser code with @wordpress/scripts' webpack configuration (Babel, TypeScript,
 * CSS, WordPress packages as externals through the dependency extraction plugin, which writes
 * the *.asset.php files):
 *
 * - blocks: every blocks/<name>/block.json with the scripts it references, plus block.json and
 *   render.php copied, into build/blocks/<name>/;
 * - admin: blocks/admin/index.tsx into build/admin/index.js.
 */
const path = require( 'path' );

// The default configuration reads the source folder when it is loaded.
process.env.WP_SOURCE_PATH = process.env.WP_SOURCE_PATH || 'blocks';

const defaultConfig = require( '@wordpress/scripts/config/webpack.config' );
const CopyWebpackPlugin = require( 'copy-webpack-plugin' );

const PhpFilePathsPlugin = require( '@wordpress/scripts/plugins/php-file-paths-plugin' );

const blocks = {
	...defaultConfig,
	name: 'blocks',
	output: {
		...defaultConfig.output,
		path: path.resolve( __dirname, 'build/blocks' ),
	},
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
	plugins: defaultConfig.plugins.filter(
		( plugin ) =>
			! ( plugin instanceof CopyWebpackPlugin ) &&
			! ( plugin instanceof PhpFilePathsPlugin )
	),
};

module.exports = [ blocks, admin ];
