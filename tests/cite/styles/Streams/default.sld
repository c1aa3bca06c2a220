<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>Streams</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description><se:Title>Streams</se:Title></se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>Streams</se:Name>
     <se:Description><se:Title>Streams</se:Title></se:Description>
     <se:LineSymbolizer>
      <se:Stroke><se:SvgParameter name="stroke">#3070d0</se:SvgParameter><se:SvgParameter name="stroke-width">3</se:SvgParameter></se:Stroke>
     </se:LineSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
