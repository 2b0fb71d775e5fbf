/*
 * repo.c - find the repository root, cache dir and HEAD; see repo.h.
 *
 * libgit2 is initialised once here (it costs ~5 ms, loading CA certificates)
 * and shut down again: only the coordinator links it.  In a linked worktree
 * the common directory (<main>/.git) is shared by all worktrees, so the
 * cache goes beside it, at <main>/.balrun, and every worktree shares it.
 */
#define _GNU_SOURCE
#include "repo.h"

#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char *strip_slash(char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

static char *parent_dir(const char *dir)
{
	char *p = strip_slash(xstrdup(dir));
	char *slash = strrchr(p, '/');
	if (slash && slash != p)
		*slash = '\0';
	else if (slash)
		slash[1] = '\0';
	return p;
}

static char *current_dir(void)
{
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		die("cannot read the current directory");
	return cwd;
}

static void fill_from_repo(struct repo_info *info, git_repository *repo)
{
	const char *workdir = git_repository_workdir(repo);
	const char *common = git_repository_commondir(repo);
	git_oid oid;
	char *real;

	real = workdir ? realpath(workdir, NULL) : NULL;
	info->root = real ? strip_slash(real) : current_dir();
	if (common && workdir) {
		char *main_root = parent_dir(common);
		char *main_real = realpath(main_root, NULL);
		info->cache_dir = xasprintf("%s/.balrun", main_real ? main_real : main_root);
		free(main_real);
		free(main_root);
	} else {
		info->cache_dir = xasprintf("%s/.balrun", info->root);
	}
	if (git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &oid);
		info->head = xstrdup(hex);
	}
}

void repo_discover(struct repo_info *info)
{
	git_repository *repo = NULL;
	char *cwd = current_dir();

	memset(info, 0, sizeof(*info));
	git_libgit2_init();
	if (git_repository_open_ext(&repo, cwd, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) == 0 &&
	    !git_repository_is_bare(repo)) {
		fill_from_repo(info, repo);
	} else {
		const git_error *e = git_error_last();
		if (repo || (e && e->message && !strstr(e->message, "could not find repository")))
			info->note = xasprintf("cannot use the git repository here (%s); timings are kept "
					       "in the current directory",
					       repo ? "it is bare" : e->message);
		info->root = xstrdup(cwd);
		info->cache_dir = xasprintf("%s/.balrun", cwd);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(cwd);
}

void repo_release(struct repo_info *info)
{
	free(info->root);
	free(info->cache_dir);
	free(info->head);
	free(info->note);
	memset(info, 0, sizeof(*info));
}

static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (!strcmp(dir, "/"))
		return path + 1;
	if (strncmp(path, dir, n) || path[n] != '/')
		return NULL;
	return path + n + 1;
}

char *repo_relative(const struct repo_info *info, const char *abspath)
{
	const char *rel = under(abspath, info->root);
	char *cwd;

	if (rel)
		return xstrdup(rel);
	cwd = current_dir();
	rel = under(abspath, cwd);
	char *r = xstrdup(rel ? rel : abspath);
	free(cwd);
	return r;
}
