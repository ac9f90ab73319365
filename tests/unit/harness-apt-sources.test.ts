/**
 * How the harness finds the Debian archive to fetch WordPress from: the machine's apt sources
 * (deb822 and one-line formats) with the suite swapped, never a hard-coded host.
 */
import {
	hostCodename,
	libraryDepends,
	parseDeb822,
	parseOneLine,
	privateSourceLines,
} from '../harness/wordpress-core';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main
Enabled: no
`;

describe( 'apt sources', () => {
	it( 'parses deb822 stanzas, skipping comments, deb-src and disabled entries', () => {
		expect( parseDeb822( DEB822 ) ).toEqual( [
			{
				uri: 'http://mirror.example.org/debian',
				suite: 'bookworm',
				components: [ 'main', 'contrib' ],
				signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg',
			},
			{
				uri: 'http://mirror.example.org/debian',
				suite: 'bookworm-updates',
				components: [ 'main', 'contrib' ],
				signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg',
			},
			{
				uri: 'http://security.example.org/debian-security',
				suite: 'bookworm-security',
				components: [ 'main' ],
				signedBy: '/usr/share/keyrings/debian-archive-keyring.gpg',
			},
		] );
	} );

	it( 'parses one-line entries with and without options', () => {
		expect(
			parseOneLine(
				[
					'# a comment',
					'deb http://one.example.org/debian bookworm main',
					'deb [arch=amd64 signed-by=/etc/keys/x.gpg] http://two.example.org/debian bookworm-updates main non-free',
					'deb-src http://one.example.org/debian bookworm main',
				].join( '\n' )
			)
		).toEqual( [
			{
				uri: 'http://one.example.org/debian',
				suite: 'bookworm',
				components: [ 'main' ],
			},
			{
				uri: 'http://two.example.org/debian',
				suite: 'bookworm-updates',
				components: [ 'main', 'non-free' ],
				signedBy: '/etc/keys/x.gpg',
			},
		] );
	} );

	it( 'reuses the configured archives with the suite swapped to the target suite', () => {
		expect(
			privateSourceLines(
				parseDeb822( DEB822 ),
				'bookworm',
				'trixie',
				''
			)
		).toEqual( [
			'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian trixie main',
			'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian trixie-updates main',
			'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://security.example.org/debian-security trixie-security main',
		] );
	} );

	it( 'ignores sources of other distributions and says how to name an archive', () => {
		const ubuntu = parseOneLine(
			'deb http://archive.example.org/ubuntu noble main universe'
		);
		expect( () =>
			privateSourceLines( ubuntu, 'bookworm', 'trixie', '' )
		).toThrow( /MFK_DEBIAN_MIRROR/ );
		expect(
			privateSourceLines(
				ubuntu,
				'noble',
				'trixie',
				'http://deb.example.org/debian'
			)
		).toEqual( [
			'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example.org/debian trixie main',
		] );
	} );

	it( 'reads the release codename from os-release', () => {
		expect(
			hostCodename(
				'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n'
			)
		).toBe( 'bookworm' );
		expect( hostCodename( 'ID=debian\n' ) ).toBe( '' );
	} );

	it( 'keeps only the library packages WordPress links into', () => {
		const output = `wordpress
 |Depends: apache2
  Depends: <httpd>
    apache2
  Depends: php
  Depends: ca-certificates
  Depends: libjs-cropper
  Depends: libjs-lodash
  Depends: libjs-underscore
  Depends: php-getid3
  Recommends: wordpress-l10n
`;
		expect( libraryDepends( output ) ).toEqual( [
			'libjs-cropper',
			'libjs-lodash',
			'libjs-underscore',
			'php-getid3',
		] );
	} );
} );
