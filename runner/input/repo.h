/*
 * repo.h - where the project is: the git repository root (found with
 * libgit2), the directory timings live in, and the HEAD commit.
 *
 * Outside a git repository, or when libgit2 cannot open it (e.g. it belongs
 * to another user), everything falls back to the current directory and a
 * note says why: never an error.
 */
#ifndef BALRUN_REPO_H
#define BALRUN_REPO_H

#include "strbuf.h"

struct repo_info {
	char *root;        /* absolute, no trailing slash: ids are relative to it */
	char *cache_dir;   /* default timing cache dir: <root shared by all worktrees>/.balrun */
	char *head;        /* hex commit id of HEAD, or NULL (no repo, unborn branch) */
	char *note;        /* why we fell back to the current directory, or NULL */
};

/* Fill info for the current directory.  Never fails (falls back to cwd). */
void repo_discover(struct repo_info *info);
void repo_release(struct repo_info *info);

/*
 * Path of file relative to root if it lies under root, else relative to
 * the current directory if under it, else the absolute path.  abspath must be
 * absolute and normalised (realpath).  Returns a new string.
 */
char *repo_relative(const struct repo_info *info, const char *abspath);

#endif
