#!/usr/bin/env bash
# Fuzzes kooste's parsers with cargo-fuzz (libFuzzer): scripts/fuzz.sh SECONDS [TARGET...]
#
# Builds the targets in fuzz/, seeds each target's corpus (fuzz/corpus/TARGET) from the
# real-world corpus (../shared/corpus beside the repository, or $KOOSTE_CORPUS) and from
# small files made here, runs each target for SECONDS under nice, and appends one row per
# target (date, target, wall seconds, CPU seconds, execs, crashes) to the log it prints
# (fuzz/fuzz-log.tsv,
# or $FUZZ_LOG). Crashing inputs land in fuzz/artifacts/TARGET/, libFuzzer's output of each
# run in fuzz/artifacts/TARGET/last-run.log.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Only a stable toolchain is assumed:
# RUSTC_BOOTSTRAP=1 lets it take the nightly flags cargo-fuzz passes. FUZZ_SANITIZER picks
# the sanitizer (default address; `none` runs faster and still catches aborts, time and
# memory limits).
set -euo pipefail

usage() {
    echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
    echo "targets: ${ALL_TARGETS[*]}" >&2
    exit 2
}

ALL_TARGETS=(pdf docx pptx xlsx xls ods odt odp doc ppt rtf xlsb html text eml msg ics archive classify rules labels
    annotations workbook)
[[ $# -ge 1 && $1 =~ ^[0-9]+$ ]] || usage
SECONDS_EACH=$1
shift
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || usage
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CORPUS=${KOOSTE_CORPUS:-$ROOT/../shared/corpus}
if [[ -z ${KOOSTE_CORPUS:-} && ! -d $CORPUS ]]; then
    # In a git worktree elsewhere: beside the main checkout.
    common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    [[ -n $common ]] && CORPUS=$(dirname "$(dirname "$common")")/shared/corpus
fi
LOG=${FUZZ_LOG:-$ROOT/fuzz/fuzz-log.tsv}
SANITIZER=${FUZZ_SANITIZER:-address}
# Niceness of the fuzzer runs (default 10); 19 lets them soak up only idle CPU.
FUZZ_NICE=${FUZZ_NICE:-10}
# Seeds above this size slow every execution down more than they add.
SEED_MAX_BYTES=${FUZZ_SEED_MAX_BYTES:-262144}
SEEDS_PER_TARGET=${FUZZ_SEEDS_PER_TARGET:-150}
export RUSTC_BOOTSTRAP=1

# Production builds have no overflow checks or debug assertions, so neither do the targets
# (-O): the fuzzer sees what a release build would do with the input.
FUZZ_FLAGS=(-O -s "$SANITIZER")
nice -n 10 cargo fuzz build "${FUZZ_FLAGS[@]}"

extensions() {
    case $1 in
        pdf) echo pdf ;;
        docx) echo docx docm dotx ;;
        pptx) echo pptx pptm ppsx potx ;;
        xlsx) echo xlsx xlsm xltx ;;
        html) echo html htm ;;
        text) echo txt md ;;
        *) echo "$1" ;;
    esac
}

seed_from_corpus() {
    local target=$1 dir=$2 ext
    if [[ ! -d $CORPUS ]]; then
        echo "no corpus at $CORPUS: $target starts from the made seeds only" >&2
        return
    fi
    for ext in $(extensions "$target"); do
        find "$CORPUS" -type f -iname "*.$ext" -size -"$((SEED_MAX_BYTES / 1024 + 1))"k \
            -printf '%s\t%p\n'
    done | sort -n | head -n "$SEEDS_PER_TARGET" | cut -f2 | while IFS= read -r f; do
        # Named by content so that reseeding adds nothing twice.
        cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)"
    done
}

seed_text() {
    local target=$1 dir=$2
    case $target in
        rules)
            cp crates/classify/rules/default.toml "$dir/default.toml"
            printf 'Theme,Term,Weight\nosallisuus,osallisuus,\nosallisuus,työpaja,"0,5"\n,,\nuusi,kokeilu,2\n' \
                >"$dir/table.csv"
            printf '[settings]\nmin_score = 1.5\n\n[[theme]]\nid = "x"\ntitle_fi = "X"\nterms = ["kokeilu*", "e-palvelu", { term = "työpaja", weight = 0.5 }]\ntp = { TP1 = 1.0 }\n' \
                >"$dir/small.toml"
            ;;
        labels)
            cp fixtures/sharedrive.labels.csv "$dir/sharedrive.csv"
            printf 'path,themes,city,tp\n"a, b.pdf",osallisuus;johtaminen,Oulu,TP1\nb.docx,,"Lah""ti",\n' \
                >"$dir/small.csv"
            ;;
        html | text | classify | workbook)
            # The corpus holds no plain text or HTML: the fixture drive's, and the seeds'.
            find fixtures/sharedrive fixtures/sharedrive-src ../shared/seeds -type f \
                \( -iname '*.html' -o -iname '*.htm' -o -iname '*.txt' -o -iname '*.md' \) \
                2>/dev/null | while IFS= read -r f; do
                case $target:$f in
                    html:*.htm | html:*.html | text:*.txt | text:*.md | classify:* | workbook:*)
                        cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)" ;;
                esac
            done
            if [[ $target == workbook ]]; then
                # Records split at U+001E, each led by its kind (see fuzz/src/lib.rs): a sheet,
                # a text cell, a link, a number, a new row, awkward text.
                printf '2Materiaalit\x1e3Espoo/TP1/raportti.pdf\x1e4../drive/a b#1.pdf\x1fraportti\x1e5 12.5\x1e1\x1e3_x000D_ & <t>\r\n \x1e2Auditointi\x1e3=1+1' \
                    >"$dir/made"
            fi
            ;;
        archive)
            # ZIP archives of a few small corpus files of different kinds, and of the
            # fixture texts, as a drive holds them.
            python3 - "$CORPUS" "$dir" <<'PY'
import pathlib, sys, zipfile
corpus, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
picks = []
for ext in ("pdf", "docx", "xlsx", "odt", "pptx"):
    files = sorted(corpus.rglob(f"*.{ext}"), key=lambda p: p.stat().st_size) if corpus.is_dir() else []
    picks += files[:2]
texts = sorted(pathlib.Path("fixtures/sharedrive").rglob("*.txt"))
for i, group in enumerate([picks[0::2], picks[1::2], texts]):
    with zipfile.ZipFile(out / f"seed-{i}.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for f in group:
            z.write(f, f"kansio/{f.name}")
PY
            ;;
        annotations)
            cp crates/annotations/kooste.example.toml "$dir/example.toml"
            printf 'file,why,leadership,business,example,themes,city,tp,title\nraportti.pdf,Hyvä esimerkki,"Johto, ja ""lainaus""",Liiketoiminta,kyllä,osallisuus;johtaminen,Oulu,TP2,Otsikko\n' \
                >"$dir/table.csv"
            ;;
    esac
}

# The legacy Office formats, RTF, mail and calendars are absent from the corpus: small valid ones are
# made in code.
need_legacy=false
for t in "${TARGETS[@]}"; do
    [[ $t == xls || $t == doc || $t == ppt || $t == rtf || $t == eml || $t == msg || $t == ics ]] && need_legacy=true
done
if $need_legacy; then
    # Without RUSTC_BOOTSTRAP, which would make cargo rebuild the workspace's dependencies.
    nice -n 10 env -u RUSTC_BOOTSTRAP cargo run -q -p kooste-extract --example fuzz_seeds -- \
        "$ROOT/fuzz/corpus"
    # Where LibreOffice is installed, a few small real documents saved in the old formats
    # give the fuzzer the records real writers produce.
    if command -v soffice >/dev/null && [[ -d $CORPUS ]]; then
        for pair in "docx:doc:doc" "xlsx:xls:xls:MS Excel 97" "pptx:ppt:ppt" "docx:rtf:rtf"; do
            IFS=: read -r from to filter <<<"$pair"
            # libFuzzer reads a corpus folder's subfolders too.
            out=$ROOT/fuzz/corpus/$to/libreoffice
            [[ -d $out ]] && continue
            mkdir -p "$out"
            find "$CORPUS/$from" -type f -name "*.$from" -size -64k -printf '%s\t%p\n' |
                sort -n | head -n 8 | cut -f2 | while IFS= read -r f; do
                timeout 120 nice -n 10 soffice -env:UserInstallation=file:///tmp/kooste-fuzz-lo \
                    --headless --norestore --convert-to "$filter" --outdir "$out" "$f" \
                    >/dev/null 2>&1 || true
            done
        done
    fi
fi

[[ -s $LOG ]] || printf 'date\ttarget\tseconds\tcpu_seconds\texecs\tcrashes\n' >"$LOG"

for t in "${TARGETS[@]}"; do
    dir=fuzz/corpus/$t
    artifacts=fuzz/artifacts/$t
    mkdir -p "$dir" "$artifacts"
    case $t in
        rules | labels | annotations | html | text | archive | classify | workbook) seed_text "$t" "$dir" ;;
        *) seed_from_corpus "$t" "$dir" ;;
    esac
    before=$(find "$artifacts" -type f ! -name '*.log' | wc -l)
    start=$(date +%s)
    execs=0
    cpu=0
    runs=0
    # A crash ends a libFuzzer run: go on with the time left, a few times at most, so that
    # one shallow crash does not use up the target's whole turn.
    while :; do
        left=$((SECONDS_EACH - ($(date +%s) - start)))
        [[ $left -gt 0 && $runs -lt 4 ]] || break
        runs=$((runs + 1))
        # CPU time as well as wall time: on a shared machine the fuzzer may have waited.
        /usr/bin/time -f '%U %S' -o "$artifacts/last-run.cpu.log" \
            nice -n "$FUZZ_NICE" cargo fuzz run "${FUZZ_FLAGS[@]}" "$t" "$dir" -- \
            -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
            -print_final_stats=1 >"$artifacts/last-run.log" 2>&1 || true
        cpu=$(awk -v c="$cpu" 'END { printf "%d", c + $1 + $2 }' "$artifacts/last-run.cpu.log")
        cat "$artifacts/last-run.log" >>"$artifacts/all-runs.log"
        n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$artifacts/last-run.log" |
            tail -n1 | grep -o '[0-9]*$' || true)
        if [[ -z $n ]]; then
            # A run that died without its final stats: its last progress line.
            n=$(grep -o '^#[0-9]*' "$artifacts/last-run.log" | tail -n1 | tr -d '#' || true)
        fi
        execs=$((execs + ${n:-0}))
        grep -q 'Done [0-9]* runs in' "$artifacts/last-run.log" && break
    done
    elapsed=$(($(date +%s) - start))
    crashes=$(($(find "$artifacts" -type f ! -name '*.log' | wc -l) - before))
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$t" "$elapsed" "$cpu" \
        "$execs" "$crashes" | tee -a "$LOG"
done
echo "log: $LOG"
