/**
 * SMTP sink: accepts every message on 127.0.0.1 and stores it, parsed, as one JSON file per
 * message in a folder. WordPress of a harness instance sends all mail here (see the harness
 * mu-plugin), and tests read the folder through the test kit's readMail().
 *
 * Run as a process: node --import tsx tests/harness/smtp-sink.ts --port 1026 --dir <folder>
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface StoredMail {
	id: string;
	receivedAt: string;
	envelope: { from: string; to: string[] };
	from: string;
	to: string[];
	cc: string[];
	replyTo: string[];
	subject: string;
	text: string;
	html: string | null;
	headers: Record< string, string >;
}

function addresses(
	value: AddressObject | AddressObject[] | undefined
): string[] {
	if ( ! value ) {
		return [];
	}
	const list = Array.isArray( value ) ? value : [ value ];
	return list
		.flatMap( ( object ) =>
			object.value.flatMap( ( entry ) =>
				entry.group
					? entry.group.map( ( g ) => g.address ?? '' )
					: [ entry.address ?? '' ]
			)
		)
		.filter( Boolean );
}

export function startSmtpSink( {
	port,
	dir,
	host = '127.0.0.1',
}: {
	port: number;
	dir: string;
	host?: string;
} ): Promise< { port: number; close: () => Promise< void > } > {
	mkdirSync( dir, { recursive: true } );
	let sequence = 0;
	const server = new SMTPServer( {
		authOptional: true,
		disabledCommands: [ 'STARTTLS', 'AUTH' ],
		logger: false,
		banner: 'Meet for KiviCare harness SMTP sink',
		size: 25 * 1024 * 1024,
		onData( stream, session, callback ) {
			simpleParser( stream )
				.then( ( parsed ) => {
					sequence += 1;
					const receivedAt = new Date();
					const id = `${ receivedAt.getTime() }-${ process.pid }-${ String( sequence ).padStart( 6, '0' ) }`;
					const headers: Record< string, string > = {};
					for ( const line of parsed.headerLines ) {
						headers[ line.key ] = line.line
							.slice( line.line.indexOf( ':' ) + 1 )
							.trim();
					}
					const mail: StoredMail = {
						id,
						receivedAt: receivedAt.toISOString(),
						envelope: {
							from: session.envelope.mailFrom
								? session.envelope.mailFrom.address
								: '',
							to: session.envelope.rcptTo.map(
								( r ) => r.address
							),
						},
						from: parsed.from?.text ?? '',
						to: addresses( parsed.to ),
						cc: addresses( parsed.cc ),
						replyTo: addresses( parsed.replyTo ),
						subject: parsed.subject ?? '',
						text: parsed.text ?? '',
						html: parsed.html || null,
						headers,
					};
					// Write then rename, so a reader never sees half a message.
					const file = path.join( dir, `${ id }.json` );
					writeFileSync(
						`${ file }.tmp`,
						JSON.stringify( mail, null, '\t' ) + '\n'
					);
					renameSync( `${ file }.tmp`, file );
					callback();
				} )
				.catch( ( error: Error ) => callback( error ) );
		},
	} );
	return new Promise( ( resolve, reject ) => {
		server.once( 'error', reject );
		server.listen( port, host, () => {
			const address = server.server.address();
			resolve( {
				port:
					typeof address === 'object' && address
						? address.port
						: port,
				close: () =>
					new Promise< void >( ( done ) =>
						server.close( () => done() )
					),
			} );
		} );
	} );
}

function argument( name: string ): string | undefined {
	const index = process.argv.indexOf( `--${ name }` );
	return index >= 0 ? process.argv[ index + 1 ] : undefined;
}

if ( require.main === module ) {
	const port = Number( argument( 'port' ) );
	const dir = argument( 'dir' );
	if ( ! port || ! dir ) {
		process.stderr.write(
			'usage: smtp-sink.ts --port <port> --dir <folder>\n'
		);
		process.exit( 2 );
	}
	startSmtpSink( { port, dir } ).then(
		( sink ) => {
			process.stdout.write(
				`SMTP sink listening on 127.0.0.1:${ sink.port }, storing mail in ${ dir }\n`
			);
			const stop = () => {
				sink.close().then( () => process.exit( 0 ) );
			};
			process.on( 'SIGTERM', stop );
			process.on( 'SIGINT', stop );
		},
		( error: Error ) => {
			process.stderr.write(
				`SMTP sink failed to start: ${ error.message }\n`
			);
			process.exit( 1 );
		}
	);
}
