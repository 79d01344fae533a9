import { Router } from 'express';
import type { AnalysisCache } from '../../shared/adapters/analysis-cache';
import { DOCUMENT_ID_PATTERN, summarizeDocument, type DocumentStore } from '../../shared/adapters/documents/document-store';
import { documentTooLargeMessage } from '../body-limit';
import { HttpError, notFound } from '../errors';
import { createDocumentSchema, updateDocumentSchema } from '../schemas';
import { parseBody, parseParam } from '../validation';

export function assertContentFits(content: string, maxBytes: number): void {
  if (Buffer.byteLength(content, 'utf8') > maxBytes) {
    throw new HttpError(413, 'document_too_large', documentTooLargeMessage(maxBytes), 'content');
  }
}

interface DocumentsRouterDeps {
  documents: DocumentStore;
  cache: AnalysisCache;
  maxBytes: number;
}

export function documentsRouter({ documents, cache, maxBytes }: DocumentsRouterDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = parseBody(createDocumentSchema, req);
    assertContentFits(body.content, maxBytes);
    const document = await documents.create(body);
    res.status(201).location(`/api/documents/${document.id}`).json(summarizeDocument(document));
  });

  router.get('/:id', async (req, res) => {
    const id = parseParam(DOCUMENT_ID_PATTERN, req.params.id, 'id');
    const document = await documents.get(id);
    if (!document) throw notFound('document', id);
    res.json(document);
  });

  router.put('/:id', async (req, res) => {
    const id = parseParam(DOCUMENT_ID_PATTERN, req.params.id, 'id');
    const body = parseBody(updateDocumentSchema, req);
    assertContentFits(body.content, maxBytes);
    const document = await documents.update(id, body);
    if (!document) throw notFound('document', id);
    // Analyses of the old text are keyed by its hash and so never served for the new text; dropping
    // them frees the space and keeps "every analysis of this document" one tag wide.
    await cache.invalidateDocument(id);
    res.json(summarizeDocument(document));
  });

  router.delete('/:id', async (req, res) => {
    const id = parseParam(DOCUMENT_ID_PATTERN, req.params.id, 'id');
    if (!(await documents.delete(id))) throw notFound('document', id);
    await cache.invalidateDocument(id);
    res.status(204).end();
  });

  return router;
}
