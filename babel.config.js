// Used by jest (babel-jest) and by wp-scripts' webpack build: one preset for TS/TSX everywhere.
module.exports = ( api ) => {
	const isTest = api.env( 'test' );
	return {
		presets: [
			[
				'@wordpress/babel-preset-default',
				isTest ? { targets: { node: 'current' } } : {},
			],
		],
	};
};
