# Speedup against job size at a fixed total of bytes: where each executor breaks even with
# the sequential run. Called by the report program, which sets:
#   datafile  blocks "job_bytes speedup low high flagged label", one per executor, two blank
#             lines apart: the 95% interval is the error bar, flagged is 1 for a noisy row
#   out_png, out_svg   output files
#   titles, workers   one word per block each: the executor and its worker count
#   ideal     min(workers, cores)
#   title_text, note (intervals and flags), machine
set datafile separator whitespace
set logscale x 2
set xlabel 'job size (bytes of input per job; log scale)'
set ylabel 'speedup over sequential'
set yrange [0 : ideal * 1.25]
set grid
set key bottom right box opaque
# The machine line in smaller type when long (a long CPU name), so that it fits the width.
machine_scale = strlen(machine) > 115 ? '0.65' : '0.8'
set title title_text . "\n{/*0.8 " . note . "}\n{/*" . machine_scale . " " . machine . "}"
set format x ''
set samples 100

do for [fmt in 'png svg'] {
  if (fmt eq 'png') {
    set terminal pngcairo size 900, 600 enhanced font 'sans,11'
    set output out_png
  } else {
    set terminal svg size 900, 600 dynamic enhanced font 'sans,11'
    set output out_svg
  }
  plot for [i = 1 : words(titles)] datafile index (i - 1) using 1:2:3:4:xticlabels(6) \
         with yerrorlines linewidth 2 pointtype 7 title sprintf('%s, %s workers', word(titles, i), word(workers, i)) noenhanced, \
       for [i = 1 : words(titles)] datafile index (i - 1) using 1:($5 > 0 ? $2 : NaN) \
         with points pointtype 6 pointsize 3 linewidth 2 linecolor rgb '#d00000' \
         title (i == 1 ? 'flagged noisy' : ''), \
       1 with lines dashtype 2 linecolor rgb '#cc0000' title 'break-even (sequential)', \
       ideal with lines dashtype 3 linecolor rgb 'black' title 'ideal'
  set output
}
