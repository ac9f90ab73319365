/**
 * The harness site in a real browser: wp-admin as the administrator with the plugin active,
 * the Meet controls block available in the block editor, and its server rendering on a page.
 */
import { expect, test } from '@playwright/test';
import { harness, wpJson } from '../harness/testkit';
import { logIn, screenshot } from './support';

test( 'wp-admin loads for the administrator with the plugin active', async ( {
	page,
} ) => {
	await logIn( page, harness().admin );
	await expect( page.locator( '#wpadminbar' ) ).toBeVisible();
	await expect( page.locator( '#wpbody h1' ) ).toHaveText( 'Dashboard' );

	await page.goto( '/wp-admin/plugins.php' );
	const row = page.locator(
		'tr[data-plugin="meet-for-kivicare/plugin.php"]'
	);
	await expect( row ).toHaveClass( /\bactive\b/ );
	await expect( row.locator( '.plugin-title strong' ) ).toHaveText(
		'Meet for KiviCare – Google Meet telemedicine'
	);
	await screenshot( page, 'wp-admin-plugins' );
} );

test( 'the Meet controls block is registered in the block editor', async ( {
	page,
} ) => {
	await logIn( page, harness().admin );
	await page.goto( '/wp-admin/post-new.php?post_type=page' );
	await page.waitForFunction(
		() =>
			!! ( window as any ).wp?.blocks?.getBlockType(
				'meet-for-kivicare/meet-controls'
			)
	);
	const title = await page.evaluate( () => {
		const { wp } = window as any;
		wp.data
			.dispatch( 'core/block-editor' )
			.insertBlocks(
				wp.blocks.createBlock( 'meet-for-kivicare/meet-controls' )
			);
		return wp.blocks.getBlockType( 'meet-for-kivicare/meet-controls' )
			.title;
	} );
	expect( title ).toBe( 'Meet controls' );
	// The test instance opens the editor without first-run dialogs (harness mu-plugin).
	await expect( page.getByRole( 'dialog' ) ).toHaveCount( 0 );
	// The editor canvas is an iframe (every block uses API version 3).
	const canvas = page.frameLocator( 'iframe[name="editor-canvas"]' );
	await expect(
		canvas.locator( '.wp-block-meet-for-kivicare-meet-controls' )
	).toContainText( 'Meet controls' );
	await screenshot( page, 'block-editor-meet-controls' );
} );

test( 'the block asks guests to sign in before joining', async ( { page } ) => {
	const url = await wpJson< string >(
		`$id = wp_insert_post( array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_title'   => 'Consultation',
			'post_content' => '<!-- wp:meet-for-kivicare/meet-controls /-->',
		) );
		return get_permalink( $id );`
	);
	await page.goto( url );
	const block = page.locator( '.wp-block-meet-for-kivicare-meet-controls' );
	await expect( block ).toContainText(
		'Sign in to join your video consultation.'
	);
	const link = block.getByRole( 'link' );
	await expect( link ).toHaveAttribute(
		'href',
		/wp-login\.php\?redirect_to=/
	);
} );
