# The chapter's two halves side by side: speedup against workers for CPU-bound work (left: C++
# threads scale, CPython's threads stay flat under the GIL) and for I/O-bound work (right: both
# languages' threads scale, since waiting releases the GIL). Called by the report program,
# which sets:
#   datafile  blocks "workers value low high flagged", one per line: the left panel's first,
#             then the right panel's, two blank lines apart
#   out_png, out_svg    output files
#   left_lines, right_lines   the lines' names, one word per block
#   left_title, right_title   the panels' titles
#   cpus, jobs          the left panel's ideal is min(workers, cpus), the right's min(workers, jobs)
#   left_maxw, right_maxw     the largest worker count of each panel
#   note (intervals and flags), machine
set datafile separator whitespace
set logscale x 2
set xtics (1, 2, 4, 8, 16, 32, 64)
set xlabel 'workers'
set ylabel 'speedup over its own sequential run'
set grid
set key top left box opaque
set yrange [0 : *]
set samples 200
nleft = words(left_lines)

do for [fmt in 'png svg'] {
  if (fmt eq 'png') {
    set terminal pngcairo size 1200, 600 enhanced font 'sans,11'
    set output out_png
  } else {
    set terminal svg size 1200, 600 dynamic enhanced font 'sans,11'
    set output out_svg
  }
  # The machine line in smaller type when long (a long CPU name), so that it fits the width.
  machine_scale = strlen(machine) > 115 ? '0.65' : '0.8'
  set multiplot layout 1, 2 title "The two halves of chapter 17: threads on CPU-bound and on I/O-bound work\n{/*0.8 " . note . "}\n{/*" . machine_scale . " " . machine . "}"
  set title left_title
  set xrange [0.8 : left_maxw * 1.25]
  ideal_left(x) = x < cpus ? x : cpus
  plot for [i = 1 : nleft] datafile index (i - 1) using 1:2:3:4 \
         with yerrorlines linewidth 2 pointtype 7 title word(left_lines, i) noenhanced, \
       for [i = 1 : nleft] datafile index (i - 1) using 1:($5 > 0 ? $2 : NaN) \
         with points pointtype 6 pointsize 3 linewidth 2 linecolor rgb '#d00000' notitle, \
       ideal_left(x) with lines dashtype 3 linecolor rgb 'black' title 'ideal: min(workers, cores)'
  set title right_title
  set xrange [0.8 : right_maxw * 1.25]
  ideal_right(x) = x < jobs ? x : jobs
  plot for [i = 1 : words(right_lines)] datafile index (nleft + i - 1) using 1:2:3:4 \
         with yerrorlines linewidth 2 pointtype 7 title word(right_lines, i) noenhanced, \
       for [i = 1 : words(right_lines)] datafile index (nleft + i - 1) using 1:($5 > 0 ? $2 : NaN) \
         with points pointtype 6 pointsize 3 linewidth 2 linecolor rgb '#d00000' notitle, \
       ideal_right(x) with lines dashtype 3 linecolor rgb 'black' title 'ideal: min(workers, jobs)'
  unset multiplot
  set output
}
