#!/bin/sh
# Seed the fuzz corpora from the repository's fixtures: every agent file, manifest and lockfile.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/frontmatter corpus/manifest corpus/lockfile
find ../fixtures -name '*.md' -exec cp {} corpus/frontmatter/ \;
find ../fixtures ../agentpack.toml.example -name 'agentpack.toml*' -exec sh -c 'cp "$1" "corpus/manifest/$(echo "$1" | tr / _ | sed "s/^[._]*//")"' _ {} \;
find ../fixtures -name 'agentpack.lock*' -exec sh -c 'cp "$1" "corpus/lockfile/$(echo "$1" | tr / _ | sed "s/^[._]*//")"' _ {} \;
cp seeds/lockfile/* corpus/lockfile/
echo "seeded: $(ls -A corpus/frontmatter | wc -l) agent files, $(ls -A corpus/manifest | wc -l) manifests, $(ls -A corpus/lockfile | wc -l) lockfiles"
