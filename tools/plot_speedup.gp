# Speedup (or efficiency) against worker count, one line per executor, with the ideal line
# and a marker at the core count. Called by the report program, which sets:
#   datafile  blocks "workers value low high flagged", one per executor, two blank lines apart:
#             the estimate, its 95% interval (the error bar), and 1 for a row flagged noisy
#   out_png, out_svg   output files
#   kind      'speedup' or 'efficiency'
#   executors the executors' names, one word per block (the gil_ plots: c++-thread, c++-process,
#             cpython-thread, cpython-process, pypy-thread, pypy-process, each against its own
#             sequential run)
#   cpus, maxw         cores of the machine, largest worker count
#   cap, cap_name      what bounds the ideal speedup: cap = cpus, cap_name 'cores' for
#                      CPU-bound work; the jobs of the set, 'jobs' for I/O-bound work
#   title_text, note (intervals and flags), machine
set datafile separator whitespace
set logscale x 2
set xrange [0.8 : maxw * 1.25]
set xtics (1, 2, 4, 8, 16, 32, 64)
set xlabel 'workers'
set grid
set key below center horizontal box height 1
# The machine line in smaller type when long (a long CPU name), so that it fits the width.
machine_scale = strlen(machine) > 115 ? '0.65' : '0.8'
set title title_text . "\n{/*0.8 " . note . "}\n{/*" . machine_scale . " " . machine . "}"
if (kind eq 'speedup') {
  set ylabel 'speedup over sequential'
  set yrange [0 : *]
  ideal(x) = x < cap ? x : cap
  ideal_title = 'ideal: min(workers, ' . cap_name . ')'
} else {
  set ylabel 'efficiency = speedup / min(workers, ' . cap_name . ')'
  set yrange [0 : 1.25]
  ideal(x) = 1
  ideal_title = 'ideal'
}
set arrow 1 from cpus, graph 0 to cpus, graph 1 nohead dashtype 2 linecolor rgb '#999999' lw 1.5
set label 1 sprintf(' %d cores', cpus) at cpus, graph 0.05 left textcolor rgb '#666666'
set samples 200

do for [fmt in 'png svg'] {
  if (fmt eq 'png') {
    set terminal pngcairo size 900, 680 enhanced font 'sans,11'
    set output out_png
  } else {
    set terminal svg size 900, 680 dynamic enhanced font 'sans,11'
    set output out_svg
  }
  plot for [i = 1 : words(executors)] datafile index (i - 1) using 1:2:3:4 \
         with yerrorlines linewidth 2 pointtype 7 title word(executors, i) noenhanced, \
       for [i = 1 : words(executors)] datafile index (i - 1) using 1:($5 > 0 ? $2 : NaN) \
         with points pointtype 6 pointsize 3 linewidth 2 linecolor rgb '#d00000' \
         title (i == 1 ? 'flagged noisy' : ''), \
       ideal(x) with lines dashtype 3 linecolor rgb 'black' title ideal_title
  set output
}
