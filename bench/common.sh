# Sourced by the bench scripts (after `cd` to the repository root): the plumbing they share.

# Builds the CLI jars into cli-module/target/lib unless JAR (a file name there) is already built.
build_cli_unless_built() {
  if [ ! -f "cli-module/target/lib/$1" ]; then
    mvn -B -q -o -pl cli-module -am -DskipTests -Dfmt.skip package
  fi
}

# Sets pin=(taskset -c CPUS) where taskset exists, else (): "${pin[@]}" COMMAND runs COMMAND pinned.
pin_to_cpus() {
  pin=()
  if command -v taskset > /dev/null; then pin=(taskset -c "$1"); fi
}
