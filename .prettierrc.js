// WordPress coding standards formatting (wp-prettier), shared by eslint and `prettier --check`.
module.exports = require( '@wordpress/prettier-config' );
