set terminal pngcairo size 1400,600 font 'DejaVu Sans,11'
set output '/work/main/bench/results/decision-vs-size.png'
set multiplot layout 1,2 title "leader-exec: one decision against group size (EC2 emulated by moto on 127.0.0.1; pages of 1,000 instances)" font ',13'
set logscale xy
set xrange [5:20000]
set xtics ("10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set grid xtics ytics mytics
set key bottom right box opaque
set xlabel 'instances in the group (log)'
set ylabel 'wall time per decision, ms (log)'
set yrange [0.1:100000]
set title "wall clock, median (bars: min-max)\nsolid: moto's answers replayed (leader-exec's own time); dashed: moto itself"
plot '/work/main/bench/results/decision-vs-size.dat' index 0 using 1:2:3:4 with yerrorlines lc rgb '#1f77b4' pt 7 ps 1.2 lw 2 title 'steady state (follower)', \
     '/work/main/bench/results/decision-vs-size.dat' index 1 using 1:2:3:4 with yerrorlines lc rgb '#d62728' pt 5 ps 1.2 lw 2 title 'claim path (whole group read)', \
     '/work/main/bench/results/decision-vs-size.dat' index 2 using 1:2:3:4 with yerrorlines lc rgb '#1f77b4' pt 6 ps 1.2 lw 1 dt 2 title 'steady state, against moto itself', \
     '/work/main/bench/results/decision-vs-size.dat' index 3 using 1:2:3:4 with yerrorlines lc rgb '#d62728' pt 4 ps 1.2 lw 1 dt 2 title 'claim path, against moto itself', \
     '/work/main/bench/results/decision-vs-size.dat' index 4 using 1:2:3:4 with yerrorlines lc rgb '#2ca02c' pt 9 ps 1.2 lw 1.5 title 'steady state, static build', \
     '/work/main/bench/results/decision-vs-size.dat' index 5 using 1:2:3:4 with yerrorlines lc rgb '#ff7f0e' pt 11 ps 1.2 lw 1.5 title 'claim path, static build'
set ylabel 'CPU time of leader-exec (user+sys), ms (log)'
set yrange [0.3:2000]
set title "CPU time of the leader-exec process, median (bars: min-max)\nagainst moto's answers replayed"
set arrow 1 from 5,100 to 20000,100 nohead dt 3 lc rgb '#555555'
set label 1 '100 ms' at 7,125 tc rgb '#555555'
plot '/work/main/bench/results/decision-vs-size.dat' index 0 using 1:5:6:7 with yerrorlines lc rgb '#1f77b4' pt 7 ps 1.2 lw 2 title 'steady state (follower)', \
     '/work/main/bench/results/decision-vs-size.dat' index 1 using 1:5:6:7 with yerrorlines lc rgb '#d62728' pt 5 ps 1.2 lw 2 title 'claim path (whole group read)', \
     '/work/main/bench/results/decision-vs-size.dat' index 4 using 1:5:6:7 with yerrorlines lc rgb '#2ca02c' pt 9 ps 1.2 lw 1.5 title 'steady state, static build', \
     '/work/main/bench/results/decision-vs-size.dat' index 5 using 1:5:6:7 with yerrorlines lc rgb '#ff7f0e' pt 11 ps 1.2 lw 1.5 title 'claim path, static build'
unset multiplot
