/*
 * timings-git.c - read a timings file at a git revision; see timings-git.h.
 *
 * "REV:PATH" is resolved with git_revparse_single, exactly as
 * `git show REV:PATH` would, so any revision syntax git knows works
 * (branches, tags, origin/main, HEAD~3, commit ids).  The blob's bytes are
 * parsed in memory by tc_from_buffer.  libgit2 is initialised and shut down
 * here, once, like in repo.c.
 */
#define _GNU_SOURCE
#include "timings-git.h"

#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define TG_DEFAULT_DIR ".balrun"

static const char *tg_git_error(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown error";
}

/* The cache dir relative to the work tree, or the default. */
static char *tg_cache_path(git_repository *repo, const char *cache_dir)
{
	const char *workdir = git_repository_workdir(repo);
	char *real_dir = cache_dir ? realpath(cache_dir, NULL) : NULL;
	char *real_root = workdir ? realpath(workdir, NULL) : NULL;
	char *rel = NULL;
	size_t n = real_root ? strlen(real_root) : 0;

	if (real_dir && real_root && !strncmp(real_dir, real_root, n) && real_dir[n] == '/')
		rel = xasprintf("%s/%s", real_dir + n + 1, TC_FILE_NAME);
	free(real_dir);
	free(real_root);
	return rel ? rel : xasprintf("%s/%s", TG_DEFAULT_DIR, TC_FILE_NAME);
}

static struct timing_cache *tg_read_blob(git_repository *repo, const char *spec,
					 struct strbuf *why)
{
	git_object *obj = NULL;
	struct timing_cache *tc = NULL;
	struct strbuf warn = STRBUF_INIT;

	if (git_revparse_single(&obj, repo, spec) < 0) {
		strbuf_addf(why, "cannot read '%s' (%s)", spec, tg_git_error());
	} else if (git_object_type(obj) != GIT_OBJECT_BLOB) {
		strbuf_addf(why, "'%s' is not a file", spec);
	} else {
		const git_blob *blob = (const git_blob *)obj;
		tc = tc_from_buffer(spec, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				    &warn);
		if (warn.len)
			strbuf_addf(why, "%s", warn.buf);
	}
	git_object_free(obj);
	strbuf_release(&warn);
	return tc;
}

/* Set by timings_git_read when there was no repository at all. */
static int tg_no_repo;

struct timing_cache *timings_git_read(const char *rev, const char *cache_dir,
				      struct strbuf *why)
{
	git_repository *repo = NULL;
	struct timing_cache *tc = NULL;
	char *cwd = getcwd(NULL, 0);

	git_libgit2_init();
	tg_no_repo = 0;
	if (!cwd || git_repository_open_ext(&repo, cwd, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		tg_no_repo = 1;
		strbuf_addf(why, "--timings-from '%s': not in a git repository (%s)", rev,
			    cwd ? tg_git_error() : "cannot read the current directory");
	} else if (git_repository_is_bare(repo)) {
		strbuf_addf(why, "--timings-from '%s': the repository is bare", rev);
	} else {
		char *path = tg_cache_path(repo, cache_dir);
		char *spec = xasprintf("%s:%s", rev, path);
		struct strbuf inner = STRBUF_INIT;
		tc = tg_read_blob(repo, spec, &inner);
		if (inner.len)
			strbuf_addf(why, "--timings-from '%s': %s", rev, inner.buf);
		strbuf_release(&inner);
		free(spec);
		free(path);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(cwd);
	return tc;
}

struct timing_cache *timings_git_for_run(const char *rev, const char *cache_dir)
{
	struct strbuf why = STRBUF_INIT;
	struct timing_cache *tc = timings_git_read(rev, cache_dir, &why);

	if (why.len)
		fprintf(stderr, "balrun: %s: %s%s\n", tg_no_repo ? "note" : "warning", why.buf,
			tc ? "" : "; planning with the local timings");
	strbuf_release(&why);
	return tc;
}
