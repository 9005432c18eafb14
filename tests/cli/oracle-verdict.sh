# Sourced by the oracle scripts: reads NAME|COUNT lines from $1 and exits with the verdict.
# A name ending in _households counts occurrences that must not be 0 (else the oracle
# would prove nothing); every other count is of disagreements and must be 0. $2 is the
# least number of lines the oracle must have printed.
cat "$1"
status=0
while IFS='|' read -r name count; do
  case "$name" in
    *_households)
      if [ "$count" -eq 0 ]; then echo "FAIL: no $name: the oracle would prove nothing"; status=1; fi ;;
    *)
      if [ "$count" != 0 ]; then echo "FAIL: $name = $count"; status=1; fi ;;
  esac
done < "$1"
[ "$(wc -l < "$1")" -ge "$2" ] || { echo "FAIL: the oracle printed too few checks"; status=1; }
exit $status
