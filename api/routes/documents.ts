import { Router } from 'express';
import { DOCUMENT_ID_PATTERN, summarizeDocument, type DocumentStore } from '../../shared/document-store';
import { HttpError, notFound } from '../errors';
import { createDocumentSchema } from '../schemas';
import { parseBody, parseParam } from '../validation';

export function documentsRouter({ documents, maxBytes }: { documents: DocumentStore; maxBytes: number }): Router {
  const router = Router();

  router.post('/', (req, res) => {
    const body = parseBody(createDocumentSchema, req);
    if (Buffer.byteLength(body.content, 'utf8') > maxBytes) {
      throw new HttpError(413, 'document_too_large', `content exceeds DOCUMENT_MAX_BYTES (${maxBytes} bytes)`, 'content');
    }
    const document = documents.create(body);
    res.status(201).location(`/api/documents/${document.id}`).json(summarizeDocument(document));
  });

  router.get('/:id', (req, res) => {
    const id = parseParam(DOCUMENT_ID_PATTERN, req.params.id, 'id');
    const document = documents.get(id);
    if (!document) throw notFound('document', id);
    res.json(document);
  });

  return router;
}
