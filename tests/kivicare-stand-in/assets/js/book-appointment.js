/**
 * Booking form of the KiviCare stand-in ([kivicareBookAppointment]).
 * Plain JS: lists doctors and services from static-data, free slots from
 * appointments/slots, and books with POST appointments (status 1).
 */
( function () {
	'use strict';

	function setup( form ) {
		const base = form.getAttribute( 'data-rest-url' );
		const nonce = form.getAttribute( 'data-nonce' );
		const doctor = form.querySelector( '#kc-book-doctor' );
		const service = form.querySelector( '#kc-book-service' );
		const date = form.querySelector( '#kc-book-date' );
		const time = form.querySelector( '#kc-book-time' );
		const tzNote = form.querySelector( '#kc-book-timezone' );
		const description = form.querySelector( '#kc-book-description' );
		const message = form.querySelector( '.kc-book-message' );
		const submit = form.querySelector( '.kc-book-submit' );

		function msg( key ) {
			return form.getAttribute( 'data-msg-' + key ) || '';
		}

		function api( path, options ) {
			options = options || {};
			options.credentials = 'same-origin';
			options.headers = Object.assign(
				{ 'X-WP-Nonce': nonce },
				options.headers || {}
			);
			return fetch( base + path, options ).then( function ( res ) {
				return res.json().then(
					function ( body ) {
						return { ok: res.ok, body };
					},
					function () {
						return { ok: false, body: {} };
					}
				);
			} );
		}

		function fill( select, items, label ) {
			select.textContent = '';
			const placeholder = document.createElement( 'option' );
			placeholder.value = '';
			placeholder.textContent = msg( 'choose' );
			select.appendChild( placeholder );
			items.forEach( function ( item ) {
				const option = document.createElement( 'option' );
				option.value = String( item.value );
				option.textContent = label( item );
				select.appendChild( option );
			} );
			select.disabled = items.length === 0;
		}

		function say( text, isError ) {
			message.textContent = text;
			message.className =
				'kc-book-message' + ( isError ? ' kc-error' : ' kc-success' );
		}

		function loadDoctors() {
			api( 'static-data?type=clinic_doctors' ).then( function ( r ) {
				const list =
					r.ok && Array.isArray( r.body.data ) ? r.body.data : [];
				fill(
					doctor,
					list.map( function ( d ) {
						return { value: d.id, label: d.label };
					} ),
					function ( i ) {
						return i.label;
					}
				);
			} );
		}

		function loadServices() {
			fill( service, [], null );
			fill( time, [], null );
			if ( ! doctor.value ) {
				return;
			}
			api(
				'static-data?type=doctor_services&doctor_id=' +
					encodeURIComponent( doctor.value )
			).then( function ( r ) {
				const list =
					r.ok && Array.isArray( r.body.data ) ? r.body.data : [];
				fill(
					service,
					list.map( function ( s ) {
						return {
							value: s.id,
							label: s.label,
							telemed: s.telemed_service === 'yes',
						};
					} ),
					function ( i ) {
						return i.telemed
							? i.label + ' (' + msg( 'telemed' ) + ')'
							: i.label;
					}
				);
			} );
		}

		function loadSlots() {
			fill( time, [], null );
			tzNote.textContent = '';
			if ( ! doctor.value || ! service.value || ! date.value ) {
				return;
			}
			const query =
				'appointments/slots?date=' +
				encodeURIComponent( date.value ) +
				'&doctor_id=' +
				encodeURIComponent( doctor.value ) +
				'&service_id=' +
				encodeURIComponent( service.value );
			api( query ).then( function ( r ) {
				const data = r.ok && r.body.data ? r.body.data : { slots: [] };
				const free = ( data.slots || [] ).filter( function ( s ) {
					return s.available;
				} );
				fill(
					time,
					free.map( function ( s ) {
						return { value: s.time, label: s.time };
					} ),
					function ( i ) {
						return i.label;
					}
				);
				tzNote.textContent = free.length
					? msg( 'timezone' ).replace( '%s', data.timezone || '' )
					: msg( 'no-slots' );
			} );
		}

		doctor.addEventListener( 'change', loadServices );
		service.addEventListener( 'change', loadSlots );
		date.addEventListener( 'change', loadSlots );

		form.addEventListener( 'submit', function ( event ) {
			event.preventDefault();
			if (
				! doctor.value ||
				! service.value ||
				! date.value ||
				! time.value
			) {
				say( msg( 'choose' ), true );
				return;
			}
			submit.disabled = true;
			api( 'appointments', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify( {
					doctorId: Number( doctor.value ),
					serviceId: [ Number( service.value ) ],
					appointmentStartDate: date.value,
					appointmentStartTime: time.value,
					description: description.value,
					status: 1,
				} ),
			} ).then(
				function ( r ) {
					submit.disabled = false;
					if (
						r.ok &&
						r.body &&
						r.body.data &&
						r.body.data.appointment_id
					) {
						form.setAttribute(
							'data-appointment-id',
							String( r.body.data.appointment_id )
						);
						say(
							msg( 'booked' ).replace(
								'%s',
								String( r.body.data.appointment_id )
							),
							false
						);
						loadSlots();
					} else {
						say(
							( r.body && r.body.message ) || msg( 'error' ),
							true
						);
					}
				},
				function () {
					submit.disabled = false;
					say( msg( 'error' ), true );
				}
			);
		} );

		loadDoctors();
	}

	function init() {
		Array.prototype.forEach.call(
			document.querySelectorAll( 'form.kc-book-appointment' ),
			setup
		);
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', init );
	} else {
		init();
	}
} )();
