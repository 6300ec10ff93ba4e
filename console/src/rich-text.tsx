import DOMPurify from 'dompurify';

// Every link opens without handing the new page a window.opener.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  // An image the author gave no text is decorative to a screen reader, not a nameless graphic.
  if (node.tagName === 'IMG' && !node.hasAttribute('alt')) node.setAttribute('alt', '');
  if (node.tagName === 'A') {
    node.setAttribute('rel', 'noopener noreferrer');
    if (node.getAttribute('target') !== null) node.setAttribute('target', '_blank');
  }
});

/** Rich text is stored as given; it is sanitised here, at render: no script, no on* handlers, no styles. */
export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style'] });
}

export function RichText({ html }: { html: string }) {
  return <div class="rich-text" dangerouslySetInnerHTML={{ __html: sanitize(html) }} />;
}
