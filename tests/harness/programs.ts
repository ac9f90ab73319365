/**
 * Where the harness finds the system programs it runs. Debian and Ubuntu put server programs
 * in /usr/sbin (`mariadbd`), which a normal user's PATH does not include, so each program is
 * looked up on PATH first and then in the folders distributions install into. A program that
 * is nowhere fails with the package that provides it, instead of a bare ENOENT.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Folders searched after PATH, in this order. */
export const SYSTEM_DIRS = [
	'/usr/local/sbin',
	'/usr/local/bin',
	'/usr/sbin',
	'/usr/bin',
	'/sbin',
	'/bin',
] as const;

interface ProgramInfo {
	/** The Debian package that installs it. */
	package: string;
	/** Older names of the same program, tried after its own. */
	aliases?: string[];
}

/** Every system program the harness starts. */
export const PROGRAMS = {
	mariadbd: { package: 'mariadb-server', aliases: [ 'mysqld' ] },
	'mariadb-install-db': {
		package: 'mariadb-server',
		aliases: [ 'mysql_install_db' ],
	},
	mariadb: { package: 'mariadb-client', aliases: [ 'mysql' ] },
	'mariadb-admin': { package: 'mariadb-client', aliases: [ 'mysqladmin' ] },
	php: { package: 'php-cli' },
	'apt-get': { package: 'apt' },
	'apt-cache': { package: 'apt' },
	'dpkg-deb': { package: 'dpkg' },
	cp: { package: 'coreutils' },
	'redis-server': { package: 'redis-server' },
	openssl: { package: 'openssl' },
} satisfies Record< string, ProgramInfo >;

export type ProgramName = keyof typeof PROGRAMS;

export class MissingProgramError extends Error {
	readonly code = 'MFK_MISSING_PROGRAM';

	constructor(
		readonly programName: string,
		readonly packageName: string,
		searched: readonly string[]
	) {
		super(
			`${ programName } was not found in ${ searched.join( ':' ) }. It comes with the ` +
				`Debian package "${ packageName }": install it with ` +
				`\`sudo apt-get install ${ packageName }\` (./bin/dev installs what is missing).`
		);
		this.name = 'MissingProgramError';
	}
}

export interface LookupOptions {
	/** The PATH to search first (default: this process's). */
	pathVariable?: string;
	/** Folders searched after PATH (default: SYSTEM_DIRS). */
	systemDirs?: readonly string[];
	/** Whether `file` is an executable file (replaceable in tests). */
	isExecutable?: ( file: string ) => boolean;
}

function executable( file: string ): boolean {
	try {
		accessSync( file, constants.X_OK );
		return statSync( file ).isFile();
	} catch {
		return false;
	}
}

/** The folders a program is searched in, without duplicates, PATH first. */
export function searchDirs(
	pathVariable: string,
	systemDirs: readonly string[]
): string[] {
	const dirs = [
		...pathVariable.split( path.delimiter ).filter( Boolean ),
		...systemDirs,
	];
	return [ ...new Set( dirs.map( ( dir ) => path.resolve( dir ) ) ) ];
}

/**
 * The absolute path of a system program (its own name first, then its older names).
 *
 * @throws MissingProgramError when it is nowhere.
 */
export function findProgram(
	name: ProgramName,
	{
		pathVariable = process.env.PATH ?? '',
		systemDirs = SYSTEM_DIRS,
		isExecutable = executable,
	}: LookupOptions = {}
): string {
	const info: ProgramInfo = PROGRAMS[ name ];
	const dirs = searchDirs( pathVariable, systemDirs );
	for ( const candidate of [ name, ...( info.aliases ?? [] ) ] ) {
		for ( const dir of dirs ) {
			const file = path.join( dir, candidate );
			if ( isExecutable( file ) ) {
				return file;
			}
		}
	}
	throw new MissingProgramError( name, info.package, dirs );
}

const found = new Map< ProgramName, string >();

/** `findProgram` with the answer kept for the life of the process. */
export function program( name: ProgramName ): string {
	let file = found.get( name );
	if ( ! file ) {
		file = findProgram( name );
		found.set( name, file );
	}
	return file;
}
