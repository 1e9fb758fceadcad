#!/bin/sh
# busybox udhcpc event script: configure the leased address and route.
case "$1" in
  deconfig) ifconfig "$interface" 0.0.0.0 ;;
  bound|renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}"
    [ -n "$router" ] && route add default gw "${router%% *}" dev "$interface"
    [ -n "$dns" ] && for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf
    ;;
esac
exit 0
