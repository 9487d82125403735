#!/usr/bin/env bash
# Runs the Spring Boot starter example's tests on Spring Boot 3.5 and 4.0, each with the versions it manages.
#
# The cutover modules are not published: they are installed first (tests skipped) into the local
# Maven repository, which the example then resolves them from. MAVEN_REPO_LOCAL, when set, names
# the local repository to use for both steps (e.g. a folder of its own, to keep ~/.m2 untouched).
#
#   cutover-examples/spring-boot-starter/run-tests.sh
#   MAVEN_REPO_LOCAL=/tmp/m2 cutover-examples/spring-boot-starter/run-tests.sh
#
# Options for the tests can be passed through as Maven arguments, e.g.
#   cutover-examples/spring-boot-starter/run-tests.sh -Dcutover.test.jdbc-url=jdbc:postgresql://127.0.0.1:5432/test?user=postgres
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

repo_args=()
if [[ -n "${MAVEN_REPO_LOCAL:-}" ]]; then
  repo_args=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL")
fi

echo "== Installing cutover-spring-boot-starter and cutover-testkit (tests skipped)"
mvn -B -q -f "$root/pom.xml" "${repo_args[@]}" install -DskipTests -pl cutover-spring-boot-starter,cutover-testkit -am

for boot in 3.5.7 4.0.7; do
  echo "== Spring Boot $boot"
  mvn -B -f "$here/pom.xml" "${repo_args[@]}" clean verify -Dspring-boot.version="$boot" "$@"
done
