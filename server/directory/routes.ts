import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { directoryPage } from '../../core/page.ts';
import { containsPattern, directoryQuery, listQuery, parseQuery, type ListQuery } from '../query-params.ts';
import { findAccount, listAccounts, listContacts, type Search } from './queries.ts';

/** The directory's accounts and contacts, read-only. */
export function directoryRoutes(db: Queryable): Router {
  const router = Router();

  router.get('/accounts', async (req, res) => {
    const query = parseQuery(listQuery, req.query);
    res.json(directoryPage(await listAccounts(db, toSearch(query)), query.directory));
  });

  router.get('/accounts/:externalId', async (req, res) => {
    const { directory } = parseQuery(directoryQuery, req.query);
    const account = await findAccount(db, directory, req.params.externalId);
    if (!account) {
      throw new AppError(ErrorCode.NOT_FOUND, `account ${req.params.externalId} is not in directory ${directory} (or was deleted)`);
    }
    res.json(account);
  });

  router.get('/contacts', async (req, res) => {
    const query = parseQuery(listQuery, req.query);
    res.json(directoryPage(await listContacts(db, toSearch(query)), query.directory));
  });

  return router;
}

function toSearch(query: ListQuery): Search {
  return { directoryId: query.directory, limit: query.limit, offset: query.offset, pattern: containsPattern(query.q) };
}
